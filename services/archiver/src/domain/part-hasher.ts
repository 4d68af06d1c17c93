import { createHash, type Hash } from 'node:crypto';
import type { SourceDigest } from './checksum';

/**
 * Hashes a stream once, whole and cut into parts of `partSize` bytes (the last one shorter): the
 * full-object SHA-256 to compare with the manifest's, and each part's SHA-256 to compare with a
 * multipart copy's composite checksum.
 */
export class PartHasher {
  private readonly whole = createHash('sha256');
  private part: Hash = createHash('sha256');
  private inPart = 0;
  private size = 0;
  private readonly partDigests: string[] = [];

  constructor(private readonly partSize: number) {
    if (!Number.isSafeInteger(partSize) || partSize <= 0)
      throw new RangeError(`Invalid part size ${partSize}`);
  }

  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    for (let offset = 0; offset < chunk.length; ) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      const slice = chunk.subarray(offset, offset + take);
      this.whole.update(slice);
      this.part.update(slice);
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) {
        this.partDigests.push(this.part.digest('base64'));
        this.part = createHash('sha256');
        this.inPart = 0;
      }
    }
  }

  digest(): SourceDigest {
    if (this.inPart > 0) {
      this.partDigests.push(this.part.digest('base64'));
      this.inPart = 0;
    }
    return {
      sha256Hex: this.whole.digest('hex'),
      partDigests: [...this.partDigests],
      partSize: this.partSize,
      size: this.size,
    };
  }
}
