import { S3ServiceException } from '@aws-sdk/client-s3';

function status(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound' || status(error) === 404)
  );
}

/** 304 to a conditional GET or HEAD. */
export function isNotModified(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotModified' || status(error) === 304);
}

/** 412, or 409 when a concurrent write raced a conditional one. */
export function isConditionFailed(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (status(error) === 412 ||
      status(error) === 409 ||
      error.name === 'PreconditionFailed' ||
      error.name === 'ConditionalRequestConflict')
  );
}

/** GetObject of an object in GLACIER, DEEP_ARCHIVE or an Intelligent-Tiering archive tier. */
export function isInvalidObjectState(error: unknown): boolean {
  return error instanceof S3ServiceException && error.name === 'InvalidObjectState';
}

/** A response header of a failed S3 call (the SDK keeps the raw response). */
export function responseHeader(error: unknown, name: string): string | undefined {
  if (!(error instanceof S3ServiceException)) return undefined;
  const headers = (error.$response as { headers?: Record<string, string> } | undefined)?.headers;
  return headers?.[name] ?? headers?.[name.toLowerCase()];
}
