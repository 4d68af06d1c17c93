import { createLogger, createS3Client } from '@sluice/runtime';
import type { Context } from 'aws-lambda';
import { PresignedUrlOriginals, WriteGetObjectResponder } from './adapters/object-lambda-s3';
import { SharpTransformer } from './adapters/sharp-transformer';
import { serveObjectLambda } from './app/serve-object-lambda';
import { readObjectLambdaConfig } from './config';

// Composition root of the opt-in S3 Object Lambda function (for accounts that still have Object
// Lambda): the same transform core and presets as the delivery function URL.
const config = readObjectLambdaConfig();
const logger = createLogger('delivery-object-lambda');
const s3 = createS3Client(config.aws);

const deps = {
  presets: new Map(config.presets.map((preset) => [preset.name, preset])),
  originals: new PresignedUrlOriginals(),
  responder: new WriteGetObjectResponder(s3),
  transformer: new SharpTransformer({
    limitInputPixels: config.maxPixels,
    timeoutSeconds: config.timeoutSeconds,
    failOn: 'error',
  }),
  cache: { maxAgeSeconds: config.maxAgeSeconds },
  limits: { maxDimension: config.maxDimension, maxImageBytes: config.maxImageBytes },
  logger,
};

export const handler = async (event: unknown, context: Context): Promise<{ statusCode: number }> => {
  logger.addContext(context);
  return serveObjectLambda(event, deps);
};
