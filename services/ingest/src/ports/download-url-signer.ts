export interface DownloadUrlSigner {
  /** A presigned GET of one object, valid expiresInSeconds. */
  presignGet(bucket: string, key: string, expiresInSeconds: number): Promise<string>;
}
