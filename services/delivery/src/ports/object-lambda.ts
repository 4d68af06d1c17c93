/** The original an Object Lambda event points at (getObjectContext.inputS3Url). */
export type FetchedOriginal =
  | { ok: true; bytes: Buffer; eTag?: string }
  /** S3's refusal, passed on: status and its error code (NoSuchKey, InvalidObjectState, …). */
  | { ok: false; status: number; code: string; message: string };

export interface ObjectLambdaOriginals {
  /** Reads the presigned URL, refusing bodies over `maxBytes` (status 400, code EntityTooLarge). */
  fetch(inputS3Url: string, maxBytes: number): Promise<FetchedOriginal>;
}

/** The answer to the caller's GetObject (S3 WriteGetObjectResponse). */
export interface ObjectLambdaAnswer {
  route: string;
  token: string;
  statusCode: number;
  body?: Buffer;
  contentType?: string;
  cacheControl?: string;
  eTag?: string;
  /** For errors: a sentence-cased S3 error code ([A-Za-z]+) and a message. */
  errorCode?: string;
  errorMessage?: string;
}

export interface ObjectLambdaResponder {
  write(answer: ObjectLambdaAnswer): Promise<void>;
}
