/** S3 reports SHA-256 checksums in base64; manifests record them in hex. */
export function sha256HexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** True only when S3's full-object SHA-256 of the copy equals the manifest's. */
export function copyIsVerified(manifestSha256Hex: string, s3ChecksumSha256: string | undefined): boolean {
  return s3ChecksumSha256 !== undefined && s3ChecksumSha256 === sha256HexToBase64(manifestSha256Hex);
}
