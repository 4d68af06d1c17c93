import { createHash } from 'node:crypto';
import { type S3ObjectLambdaEvent, validate } from '@sluice/contracts';
import type { RenditionPreset } from '@sluice/processor/presets';
import { type Logger, logPipelineStep } from '@sluice/runtime';
import { type CachePolicy, presetCacheControl } from '../domain/caching';
import { DeliveryError } from '../domain/errors';
import { objectLambdaTransform, userHeader } from '../domain/object-lambda';
import { type ImageTransformer, UnprocessableImageError } from '../ports/image-transformer';
import type { ObjectLambdaOriginals, ObjectLambdaResponder } from '../ports/object-lambda';

export interface ObjectLambdaDeps {
  presets: ReadonlyMap<string, RenditionPreset>;
  originals: ObjectLambdaOriginals;
  responder: ObjectLambdaResponder;
  transformer: ImageTransformer;
  cache: CachePolicy;
  limits: { maxDimension: number; maxImageBytes: number };
  logger: Logger;
}

/** An event that is not an Object Lambda GetObject event (no way to answer it). */
export class InvalidObjectLambdaEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidObjectLambdaEventError';
  }
}

/** DeliveryError codes as S3 error codes (sentence-cased, letters only). */
const S3_CODES: Record<string, string> = {
  'invalid-payload': 'InvalidTransformConfiguration',
  'unprocessable-image': 'UnprocessableImage',
};

/**
 * One GetObject through an S3 Object Lambda access point: reads the original from the presigned
 * inputS3Url, transforms it with the access point's configured transform (the processor's core),
 * and answers with WriteGetObjectResponse: the image, or S3's own refusal passed on (NoSuchKey,
 * InvalidObjectState for cold storage, …), or a 400/500 saying what went wrong.
 */
export async function serveObjectLambda(
  event: unknown,
  deps: ObjectLambdaDeps,
): Promise<{ statusCode: number }> {
  const started = performance.now();
  const checked = validate('s3-object-lambda-event/v1', event);
  if (!checked.ok)
    throw new InvalidObjectLambdaEventError(
      `Not an Object Lambda GetObject event: ${checked.errors.join('; ')}`,
    );
  const olEvent: S3ObjectLambdaEvent = checked.value;
  const { outputRoute: route, outputToken: token, inputS3Url } = olEvent.getObjectContext;
  const key = decodeURIComponent(new URL(olEvent.userRequest.url).pathname.slice(1));
  const log = (outcome: 'succeeded' | 'rejected' | 'failed', fields: Record<string, unknown>) =>
    logPipelineStep(deps.logger, 'Object Lambda GetObject answered', {
      assetId: key.split('/')[1] ?? key,
      stage: 'delivery-object-lambda',
      outcome,
      durationMs: performance.now() - started,
      key,
      requestId: olEvent.xAmzRequestId,
      ...fields,
    });
  const fail = async (statusCode: number, errorCode: string, errorMessage: string) => {
    await deps.responder.write({ route, token, statusCode, errorCode, errorMessage });
    log(statusCode >= 500 ? 'failed' : 'rejected', { status: statusCode, code: errorCode });
    return { statusCode };
  };

  try {
    const transform = objectLambdaTransform(
      olEvent.configuration.payload,
      userHeader(olEvent.userRequest.headers, 'accept'),
      deps.presets,
      deps.limits.maxDimension,
    );
    const original = await deps.originals.fetch(inputS3Url, deps.limits.maxImageBytes);
    if (!original.ok) return await fail(original.status, original.code, original.message);
    const image = await deps.transformer.transform(original.bytes, transform.spec);
    await deps.responder.write({
      route,
      token,
      statusCode: 200,
      body: image.data,
      contentType: image.contentType,
      cacheControl: presetCacheControl(deps.cache),
      eTag: `"${createHash('md5').update(image.data).digest('hex')}"`,
    });
    log('succeeded', { status: 200, bytes: image.data.length, format: image.format });
    return { statusCode: 200 };
  } catch (error) {
    if (error instanceof DeliveryError) {
      return fail(
        error.code === 'invalid-payload' ? 500 : error.status,
        S3_CODES[error.code] ?? 'InvalidRequest',
        error.message,
      );
    }
    if (error instanceof UnprocessableImageError) {
      return fail(
        400,
        S3_CODES['unprocessable-image'] as string,
        `The object could not be transformed: ${error.message}`,
      );
    }
    deps.logger.error('Object Lambda transform failed', { error });
    return fail(500, 'InternalError', 'The object could not be transformed');
  }
}
