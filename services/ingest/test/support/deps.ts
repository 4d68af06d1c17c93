import { S3Client } from '@aws-sdk/client-s3';
import { createLogger } from '@sluice/runtime';
import { ContentTypePolicy } from '../../src/domain/content-types';

/** A client that never reaches a network: presigning is local, sends fail fast. */
export const offlineS3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

export const quietLogger = () => {
  const logger = createLogger('ingest-test');
  logger.setLogLevel('SILENT');
  return logger;
};

export const allowedTypes = ContentTypePolicy.parse(
  'image/*,application/pdf,text/plain,application/json,video/*',
);

export const TENANT = 'acme';
export const OTHER_TENANT = 'globex';

export function policyOf(fields: Record<string, string>) {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}
