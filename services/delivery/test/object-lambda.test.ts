import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { S3Client, WriteGetObjectResponseCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import { handler } from '../src/object-lambda-handler';
import { fixture } from './support';

/** AWS's documented Object Lambda event, kept as a valid example of s3-object-lambda-event/v1. */
const EXAMPLES = resolve(__dirname, '../../../contracts/examples/s3-object-lambda-event/v1/valid');
const awsDocsEvent = JSON.parse(readFileSync(resolve(EXAMPLES, 'aws-docs-get-object.json'), 'utf8'));
const presetEvent = JSON.parse(readFileSync(resolve(EXAMPLES, 'sluice-preset-payload.json'), 'utf8'));
const context = { awsRequestId: 'req' } as Context;

const s3 = mockClient(S3Client);
let fetchSpy: jest.SpyInstance;

function respondWith(body: Buffer | string, status = 200, headers: Record<string, string> = {}) {
  fetchSpy.mockResolvedValue(new Response(body, { status, headers }));
}

function written() {
  const calls = s3.commandCalls(WriteGetObjectResponseCommand);
  expect(calls).toHaveLength(1);
  return calls[0]?.args[0].input as NonNullable<(typeof calls)[0]>['args'][0]['input'] & { Body?: Buffer };
}

beforeEach(() => {
  s3.reset();
  s3.on(WriteGetObjectResponseCommand).resolves({});
  fetchSpy = jest.spyOn(globalThis, 'fetch');
});

afterEach(() => fetchSpy.mockRestore());

describe('the S3 Object Lambda handler', () => {
  it("answers AWS's documented GetObject event through WriteGetObjectResponse", async () => {
    const original = fixture('jpeg/gps-nikon.jpg');
    respondWith(original, 200, { 'content-length': String(original.length) });
    expect(await handler(awsDocsEvent, context)).toEqual({ statusCode: 200 });
    expect(fetchSpy).toHaveBeenCalledWith(awsDocsEvent.getObjectContext.inputS3Url);
    const answer = written();
    expect(answer).toMatchObject({
      RequestRoute: 'io-use1-001',
      RequestToken: 'OutputToken',
      StatusCode: 200,
      ContentType: 'image/jpeg',
      CacheControl: 'public, max-age=31536000, immutable',
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
    // Payload "{}": the object re-encoded at full size; no Accept header, so JPEG; no EXIF, no GPS.
    const meta = await sharp(answer.Body).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 640, 480, undefined]);
    expect(answer.ContentLength).toBe(answer.Body?.length);
  });

  it("applies the access point's preset, picking the format from the caller's Accept", async () => {
    respondWith(fixture('jpeg/orient-1.jpg'));
    expect(await handler(presetEvent, context)).toEqual({ statusCode: 200 });
    const answer = written();
    // medium: 800 wide, made in WebP and JPEG; the caller accepts AVIF and WebP.
    expect(answer).toMatchObject({ RequestRoute: 'io-euw1-002', StatusCode: 200, ContentType: 'image/webp' });
    const meta = await sharp(answer.Body).metadata();
    expect([meta.format, meta.width]).toEqual(['webp', 800]);
  });

  it("passes S3's refusal on: a missing key, an object in cold storage", async () => {
    respondWith(
      '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      404,
    );
    expect(await handler(awsDocsEvent, context)).toEqual({ statusCode: 404 });
    expect(written()).toEqual({
      RequestRoute: 'io-use1-001',
      RequestToken: 'OutputToken',
      StatusCode: 404,
      ErrorCode: 'NoSuchKey',
      ErrorMessage: 'The specified key does not exist.',
    });

    s3.resetHistory();
    respondWith(
      "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message></Error>",
      403,
    );
    expect(await handler(awsDocsEvent, context)).toEqual({ statusCode: 403 });
    expect(written()).toMatchObject({ StatusCode: 403, ErrorCode: 'InvalidObjectState' });
  });

  it('refuses an object it cannot decode, and one over the size limit unread', async () => {
    respondWith(fixture('svg/simple.svg'));
    expect(await handler(awsDocsEvent, context)).toEqual({ statusCode: 400 });
    expect(written()).toMatchObject({ StatusCode: 400, ErrorCode: 'UnprocessableImage' });

    s3.resetHistory();
    respondWith('x', 200, { 'content-length': String(200 * 1024 * 1024) });
    expect(await handler(awsDocsEvent, context)).toEqual({ statusCode: 400 });
    expect(written()).toMatchObject({ StatusCode: 400, ErrorCode: 'EntityTooLarge' });
  });

  it('answers 500 for a misconfigured access point, before reading the object', async () => {
    const misconfigured = {
      ...awsDocsEvent,
      configuration: { ...awsDocsEvent.configuration, payload: '{"preset":"huge"}' },
    };
    expect(await handler(misconfigured, context)).toEqual({ statusCode: 500 });
    expect(written()).toMatchObject({
      StatusCode: 500,
      ErrorCode: 'InvalidTransformConfiguration',
      ErrorMessage: 'Unknown preset "huge"',
    });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('throws on an event that is not an Object Lambda GetObject event (nothing to answer)', async () => {
    await expect(handler({ Records: [] }, context)).rejects.toThrow(/Not an Object Lambda GetObject event/);
    expect(s3.commandCalls(WriteGetObjectResponseCommand)).toHaveLength(0);
  });
});
