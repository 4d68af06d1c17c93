import { type S3Client, WriteGetObjectResponseCommand } from '@aws-sdk/client-s3';
import type {
  FetchedOriginal,
  ObjectLambdaAnswer,
  ObjectLambdaOriginals,
  ObjectLambdaResponder,
} from '../ports/object-lambda';

function xmlField(xml: string, field: string): string | undefined {
  return new RegExp(`<${field}>([^<]*)</${field}>`).exec(xml)?.[1];
}

/** Reads inputS3Url (a presigned GetObject URL of the supporting access point) with fetch. */
export class PresignedUrlOriginals implements ObjectLambdaOriginals {
  constructor(private readonly fetchFn: (url: string) => Promise<Response> = (url) => fetch(url)) {}

  async fetch(inputS3Url: string, maxBytes: number): Promise<FetchedOriginal> {
    const response = await this.fetchFn(inputS3Url);
    if (!response.ok) {
      const xml = await response.text();
      return {
        ok: false,
        status: response.status,
        code: xmlField(xml, 'Code') ?? 'InternalError',
        message: xmlField(xml, 'Message') ?? `The original could not be read (${response.status})`,
      };
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body?.cancel();
      return tooLarge(declared, maxBytes);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBytes) return tooLarge(bytes.length, maxBytes);
    return { ok: true, bytes, eTag: response.headers.get('etag') ?? undefined };
  }
}

function tooLarge(size: number, maxBytes: number): FetchedOriginal {
  return {
    ok: false,
    status: 400,
    code: 'EntityTooLarge',
    message: `The object is ${size} bytes, over the ${maxBytes}-byte limit of on-the-fly transforms`,
  };
}

/** Answers through S3 WriteGetObjectResponse. */
export class WriteGetObjectResponder implements ObjectLambdaResponder {
  constructor(private readonly s3: S3Client) {}

  async write(answer: ObjectLambdaAnswer): Promise<void> {
    await this.s3.send(
      new WriteGetObjectResponseCommand({
        RequestRoute: answer.route,
        RequestToken: answer.token,
        StatusCode: answer.statusCode,
        ...(answer.body
          ? {
              Body: answer.body,
              ContentLength: answer.body.length,
              ContentType: answer.contentType,
              CacheControl: answer.cacheControl,
              ETag: answer.eTag,
            }
          : { ErrorCode: answer.errorCode, ErrorMessage: answer.errorMessage }),
      }),
    );
  }
}
