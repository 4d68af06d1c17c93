/** Raised when a copy does not match the manifest's checksum: the original stays, the record retries. */
export class ArchiveVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveVerificationError';
  }
}
