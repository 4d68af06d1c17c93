import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type AssetManifest, validate } from '@sluice/contracts';
import type { AssetCatalog } from '../ports/asset-catalog';
import { isNotFound } from './s3-errors';

/** An invalid manifest is a producer bug: the request fails (500), loudly in the logs. */
export class InvalidManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidManifestError';
  }
}

/** manifests/{assetId}.json in the processed bucket, validated against asset-manifest/v1. */
export class S3AssetCatalog implements AssetCatalog {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async manifest(assetId: string): Promise<AssetManifest | null> {
    let text: string;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: `manifests/${assetId}.json` }),
      );
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new InvalidManifestError(`manifests/${assetId}.json is not JSON`);
    }
    const result = validate('asset-manifest/v1', doc);
    if (!result.ok) {
      throw new InvalidManifestError(`manifests/${assetId}.json: ${result.errors.join('; ')}`);
    }
    return result.value;
  }
}
