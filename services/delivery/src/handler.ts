import { createLogger, createS3Client } from '@sluice/runtime';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { streamingRuntime, toDeliveryRequest, writeResponse } from './adapters/function-url';
import { deliver } from './app/deliver';
import { readConfig } from './config';
import { createDeliverDeps } from './wiring';

// Composition root of the delivery function URL (invoke mode RESPONSE_STREAM, behind CloudFront).
const config = readConfig();
const logger = createLogger('delivery');
const deps = createDeliverDeps(config, createS3Client(config.aws), logger);
const runtime = streamingRuntime();

export const handler = runtime.streamifyResponse<LambdaFunctionURLEvent>(
  async (event, responseStream, context) => {
    logger.addContext(context);
    const response = await deliver(toDeliveryRequest(event), deps);
    await writeResponse(runtime, responseStream, response);
  },
);
