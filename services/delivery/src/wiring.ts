import type { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@sluice/runtime';
import { S3AssetCatalog } from './adapters/s3-asset-catalog';
import { S3OriginalSource } from './adapters/s3-originals';
import { S3VariantStore } from './adapters/s3-variant-store';
import { SharpTransformer } from './adapters/sharp-transformer';
import { SecretsManagerSigningKeys, StaticSigningKeys } from './adapters/signing-keys';
import type { DeliverDeps } from './app/deliver';
import type { DeliveryConfig } from './config';

/** The delivery use case's dependencies from its configuration and clients (handler.ts, the bench). */
export function createDeliverDeps(config: DeliveryConfig, s3: S3Client, logger: Logger): DeliverDeps {
  return {
    presets: new Map(config.presets.map((preset) => [preset.name, preset])),
    variants: new S3VariantStore(s3, config.processedBucket),
    catalog: new S3AssetCatalog(s3, config.processedBucket),
    originals: new S3OriginalSource(
      s3,
      { ingest: config.ingestBucket, archive: config.archiveBucket },
      config.maxImageBytes,
    ),
    transformer: new SharpTransformer({
      limitInputPixels: config.maxPixels,
      timeoutSeconds: config.timeoutSeconds,
      failOn: 'error',
    }),
    signingKeys: config.signingKeysSecretId
      ? new SecretsManagerSigningKeys(
          new SecretsManagerClient({ region: config.aws.region, endpoint: config.aws.endpoint }),
          config.signingKeysSecretId,
          config.signingKeysTtlSeconds * 1000,
          logger,
        )
      : new StaticSigningKeys(config.signingKeys),
    cache: { maxAgeSeconds: config.maxAgeSeconds },
    limits: { maxDimension: config.maxDimension },
    logger,
  };
}
