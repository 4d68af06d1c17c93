import { createHash } from 'node:crypto';

/** S3 reports SHA-256 checksums in base64; manifests record them in hex. */
export function sha256HexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/**
 * An S3 `ChecksumSHA256` value: a full-object checksum is the base64 digest of the bytes; a
 * composite one (multipart objects) is the base64 digest of the concatenated part digests,
 * followed by `-{partCount}` (HeadObject/GetObject add the suffix; some tools drop it).
 */
export interface S3Checksum {
  digest: string;
  parts?: number;
}

export function parseS3Checksum(value: string): S3Checksum {
  const match = /^([A-Za-z0-9+/]+={0,2})(?:-(\d+))?$/.exec(value);
  if (!match?.[1]) return { digest: value };
  return match[2] ? { digest: match[1], parts: Number(match[2]) } : { digest: match[1] };
}

/** True only when S3's full-object SHA-256 of the copy equals the manifest's. */
export function copyIsVerified(manifestSha256Hex: string, s3ChecksumSha256: string | undefined): boolean {
  return s3ChecksumSha256 !== undefined && s3ChecksumSha256 === sha256HexToBase64(manifestSha256Hex);
}

/** S3's composite SHA-256 of an object made of parts with these SHA-256 digests (base64 each). */
export function compositeSha256(partDigestsBase64: readonly string[]): S3Checksum {
  const hash = createHash('sha256');
  for (const digest of partDigestsBase64) hash.update(Buffer.from(digest, 'base64'));
  return { digest: hash.digest('base64'), parts: partDigestsBase64.length };
}

/** What streaming the original once, at the archive copy's part boundaries, yielded. */
export interface SourceDigest {
  /** Hex SHA-256 of every byte read, in order. */
  sha256Hex: string;
  /** Base64 SHA-256 of each part, in part order. */
  partDigests: string[];
  partSize: number;
  size: number;
}

export type CompositeVerdict = { verified: true } | { verified: false; reason: string };

/**
 * A multipart copy is verified when two independent facts agree:
 *  1. the bytes read from the original hash (as a whole) to the manifest's SHA-256: they are the
 *     bytes the processor saw;
 *  2. S3's composite checksum of the copy equals the SHA-256 of those bytes' part digests, cut at
 *     the copy's part boundaries: the copy is made of exactly those bytes, part for part.
 * SHA-256 being collision resistant, together they prove the copy's bytes hash to the manifest's
 * SHA-256 without ever reading the copy back (which a DEEP_ARCHIVE object would not allow).
 */
export function verifyCompositeCopy(
  manifestSha256Hex: string,
  copyChecksum: string | undefined,
  source: SourceDigest,
): CompositeVerdict {
  if (copyChecksum === undefined) return { verified: false, reason: 'the copy has no SHA-256 checksum' };
  if (source.sha256Hex !== manifestSha256Hex) {
    return {
      verified: false,
      reason: `the original's bytes hash to ${source.sha256Hex}, not the manifest's ${manifestSha256Hex}`,
    };
  }
  const actual = parseS3Checksum(copyChecksum);
  const expected = compositeSha256(source.partDigests);
  if (actual.parts !== undefined && actual.parts !== expected.parts) {
    return {
      verified: false,
      reason: `the copy has ${actual.parts} parts, the original was read in ${expected.parts}`,
    };
  }
  if (actual.digest !== expected.digest) {
    return { verified: false, reason: "the copy's composite SHA-256 does not match the original's parts" };
  }
  return { verified: true };
}
