/**
 * Input that can never be processed (corrupt, hostile, outside the documented layout). It ends as
 * an asset.rejected event with this reason, never as a retry.
 */
export class AssetRejectedError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AssetRejectedError';
  }
}
