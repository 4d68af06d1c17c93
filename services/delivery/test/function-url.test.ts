import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  type ResponseStream,
  streamingRuntime,
  toDeliveryRequest,
  writeResponse,
} from '../src/adapters/function-url';
import { ASSET_ID, fixture, manifest } from './support';

/** A response stream that keeps what the handler wrote, in order, and its content type. */
class CapturedStream extends Writable {
  contentType = '';
  readonly chunks: Buffer[] = [];

  setContentType(type: string) {
    this.contentType = type;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  /** The prelude and the body, as the function URL reads them apart. */
  decoded(): {
    prelude: { statusCode: number; headers: Record<string, string> };
    body: Buffer;
    writes: number;
  } {
    const all = Buffer.concat(this.chunks);
    const end = all.indexOf(Buffer.alloc(8));
    return {
      prelude: JSON.parse(all.subarray(0, end).toString('utf8')),
      body: all.subarray(end + 8),
      writes: this.chunks.length,
    };
  }
}

function event(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  query = '',
): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'x',
      domainName: 'x.lambda-url.us-east-1.on.aws',
      domainPrefix: 'x',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '01/Mar/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

describe('the function URL adapter', () => {
  it('reads what delivery needs from a function URL event (lowercase headers)', () => {
    expect(
      toDeliveryRequest(
        event('/v/a/thumb.auto', { accept: 'image/webp', 'if-none-match': '"x"' }, 'head', 'q=1'),
      ),
    ).toEqual({
      method: 'HEAD',
      path: '/v/a/thumb.auto',
      rawQuery: 'q=1',
      accept: 'image/webp',
      ifNoneMatch: '"x"',
    });
  });

  it('writes the prelude, 8 NUL bytes and the body in chunks', async () => {
    const stream = new CapturedStream();
    const body = Buffer.alloc(700 * 1024, 7);
    await writeResponse(streamingRuntime(), stream as unknown as ResponseStream, {
      status: 200,
      headers: { 'content-type': 'image/png', etag: '"e"' },
      body,
    });
    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    const { prelude, body: written, writes } = stream.decoded();
    expect(prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'image/png', etag: '"e"' } });
    expect(written.equals(body)).toBe(true);
    // Prelude, delimiter, then 256 KB chunks: backpressure applies between them.
    expect(writes).toBe(2 + 3);
    expect(stream.writableFinished).toBe(true);
  });

  it('streams the body while pending work runs, and ends the response only once it is done', async () => {
    const stream = new CapturedStream();
    let finishStore: () => void = () => {};
    const pending = new Promise<void>((resolve) => {
      finishStore = resolve;
    });
    const writing = writeResponse(streamingRuntime(), stream as unknown as ResponseStream, {
      status: 200,
      headers: {},
      body: Buffer.from('rendered'),
      pending,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.decoded().body.toString()).toBe('rendered');
    expect(stream.writableEnded).toBe(false);
    finishStore();
    await writing;
    expect(stream.writableFinished).toBe(true);
  });

  it('pipes a stream body and ends a bodiless answer after its head', async () => {
    const piped = new CapturedStream();
    await writeResponse(streamingRuntime(), piped as unknown as ResponseStream, {
      status: 200,
      headers: {},
      body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
    });
    expect(piped.decoded().body.toString()).toBe('abcd');

    const empty = new CapturedStream();
    await writeResponse(streamingRuntime(), empty as unknown as ResponseStream, {
      status: 304,
      headers: { etag: '"e"' },
    });
    expect(empty.decoded()).toMatchObject({ prelude: { statusCode: 304 }, body: Buffer.alloc(0) });
    expect(empty.writableFinished).toBe(true);
  });
});

describe('handler.ts (the composition root) with S3 mocked', () => {
  const s3 = mockClient(S3Client);
  const env = { ...process.env };

  beforeAll(() => {
    Object.assign(process.env, {
      INGEST_BUCKET: 'ingest',
      PROCESSED_BUCKET: 'processed',
      ARCHIVE_BUCKET: 'archive',
      AWS_REGION: 'us-east-1',
    });
  });

  afterAll(() => {
    process.env = env;
  });

  it('is a streaming handler that renders a miss with sharp, stores it and streams it', async () => {
    const original = fixture('jpeg/orient-6.jpg');
    const notFound = new S3ServiceException({
      name: 'NoSuchKey',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
      message: 'NoSuchKey',
    });
    const blob = (bytes: Buffer) =>
      Object.assign(Readable.from([bytes]), {
        transformToByteArray: async () => new Uint8Array(bytes),
        transformToString: async () => bytes.toString('utf8'),
      }) as never;
    s3.on(GetObjectCommand, { Bucket: 'processed', Key: `renditions/${ASSET_ID}/thumb.webp` }).rejects(
      notFound,
    );
    s3.on(GetObjectCommand, { Bucket: 'processed', Key: `manifests/${ASSET_ID}.json` }).resolves({
      Body: blob(Buffer.from(JSON.stringify(manifest()))),
    });
    s3.on(GetObjectCommand, { Bucket: 'ingest' }).resolves({
      ContentLength: original.length,
      Body: blob(original),
    });
    s3.on(PutObjectCommand).resolves({ ETag: '"stored-etag"' });

    // Loaded now, with the environment above (the module registry is this file's own).
    const handler = (require('../src/handler') as typeof import('../src/handler')).handler;
    if (!handler) throw new Error('handler.ts exports no handler');
    expect(
      (handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')],
    ).toBe('response');

    const stream = new CapturedStream();
    await handler(
      event(`/v/${ASSET_ID}/thumb.webp`),
      stream as unknown as ResponseStream,
      {
        awsRequestId: 'r',
      } as Context,
    );
    const { prelude, body } = stream.decoded();
    expect(prelude.statusCode).toBe(200);
    // The MD5 of the bytes: the ETag S3 gives the stored copy (a single PUT, SSE-S3).
    expect(prelude.headers).toMatchObject({
      'content-type': 'image/webp',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
    });
    const meta = await sharp(body).metadata();
    // orient-6 is stored 1200x1800 and displays 1800x1200: auto-oriented, then 200 wide.
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 200, 133, undefined]);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'processed',
      Key: `renditions/${ASSET_ID}/thumb.webp`,
      IfNoneMatch: '*',
    });
    expect(Buffer.compare(put?.Body as Buffer, body)).toBe(0);
  });
});
