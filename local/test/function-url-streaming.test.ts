import { request } from 'node:http';
import { type FunctionUrlServer, startFunctionUrl } from '../src/function-url';
import type { LambdaHandler } from '../src/lambda';
import {
  HANDLER_STREAMING,
  HTTP_INTEGRATION_CONTENT_TYPE,
  installAwsLambdaGlobal,
  isStreamingHandler,
  type LambdaResponseStream,
} from '../src/response-stream';

interface AwsLambdaGlobal {
  streamifyResponse<T>(handler: T): T;
  HttpResponseStream: {
    from(stream: LambdaResponseStream, prelude: Record<string, unknown>): LambdaResponseStream;
  };
}

type StreamingHandler = (
  event: { rawPath: string },
  stream: LambdaResponseStream,
  context: unknown,
) => Promise<void>;

/** 8 MB of a repeating pattern: over the 6 MB a buffered response may carry. */
const LARGE = Buffer.alloc(8 * 1024 * 1024, 'sluice-');

function write(stream: LambdaResponseStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** A raw GET that reports status, headers, the body and whether the connection was cut. */
function get(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('aborted', () => {
        aborted = true;
      });
      res.on('error', () => {
        aborted = true;
      });
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          aborted: aborted || !res.complete,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('function URL with invoke mode RESPONSE_STREAM', () => {
  let awslambda: AwsLambdaGlobal;
  let streaming: FunctionUrlServer;
  let buffered: FunctionUrlServer;
  let bufferedStreamingHandler: FunctionUrlServer;

  beforeAll(async () => {
    installAwsLambdaGlobal({});
    awslambda = (globalThis as unknown as { awslambda: AwsLambdaGlobal }).awslambda;

    const routes: StreamingHandler = async (event, stream) => {
      switch (event.rawPath) {
        case '/large': {
          const out = awslambda.HttpResponseStream.from(stream, {
            statusCode: 201,
            headers: { 'Content-Type': 'image/png', ETag: '"abc"' },
            cookies: ['a=1; Path=/'],
          });
          // Several writes, as a pipeline would make them.
          for (let offset = 0; offset < LARGE.length; offset += 1024 * 1024) {
            await write(out, LARGE.subarray(offset, offset + 1024 * 1024));
          }
          out.end();
          return;
        }
        case '/not-modified': {
          const out = awslambda.HttpResponseStream.from(stream, {
            statusCode: 304,
            headers: { etag: '"x"' },
          });
          out.write('');
          out.end();
          return;
        }
        case '/plain':
          stream.setContentType('text/plain');
          stream.write('hello ');
          stream.end('world');
          return;
        case '/fail-before':
          throw new Error('scripted failure before the first byte');
        case '/fail-after': {
          const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} });
          await write(out, Buffer.from('partial'));
          throw new Error('scripted failure mid-stream');
        }
        case '/never-ends':
          return;
        default:
          throw new Error(`no route ${event.rawPath}`);
      }
    };
    const handler = awslambda.streamifyResponse(routes) as unknown as LambdaHandler;
    const common = {
      functionName: 'delivery',
      timeoutSeconds: 1,
      authType: 'NONE' as const,
      logger: () => {},
    };
    streaming = await startFunctionUrl({ ...common, handler, invokeMode: 'RESPONSE_STREAM' });
    bufferedStreamingHandler = await startFunctionUrl({ ...common, handler, invokeMode: 'BUFFERED' });
    buffered = await startFunctionUrl({
      ...common,
      handler: (async () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: LARGE.toString('base64'),
        isBase64Encoded: true,
      })) as LambdaHandler,
    });
  });

  afterAll(async () => {
    await streaming?.close();
    await buffered?.close();
    await bufferedStreamingHandler?.close();
  });

  it('marks handlers the way the runtime does', () => {
    const plain = async () => {};
    const marked = awslambda.streamifyResponse(async () => {});
    expect(isStreamingHandler(plain)).toBe(false);
    expect(isStreamingHandler(marked)).toBe(true);
    expect((marked as unknown as Record<symbol, unknown>)[HANDLER_STREAMING]).toBe('response');
  });

  it('streams a response over 6 MB with the status, headers and cookies of its prelude', async () => {
    const response = await get(`${streaming.url}/large`);
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers.etag).toBe('"abc"');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/']);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers['content-length']).toBeUndefined();
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.aborted).toBe(false);
    expect(response.body.length).toBe(LARGE.length);
    expect(response.body.equals(LARGE)).toBe(true);
  });

  it('sends a head without a body when the handler writes an empty chunk (304)', async () => {
    const response = await get(`${streaming.url}/not-modified`);
    expect(response.status).toBe(304);
    expect(response.headers.etag).toBe('"x"');
    expect(response.body.length).toBe(0);
  });

  it('answers 200 with the content type set when there is no prelude', async () => {
    const response = await get(`${streaming.url}/plain`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.body.toString()).toBe('hello world');
    expect(response.headers['content-type']).not.toBe(HTTP_INTEGRATION_CONTENT_TYPE);
  });

  it('answers 502 when the handler fails before its first byte', async () => {
    const response = await get(`${streaming.url}/fail-before`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toEqual({ Message: 'Internal Server Error' });
  });

  it('cuts the connection when the handler fails mid-stream', async () => {
    const response = await get(`${streaming.url}/fail-after`);
    expect(response.status).toBe(200);
    expect(response.aborted).toBe(true);
    expect(response.body.toString()).toBe('partial');
  });

  it('times out a handler that never ends its stream', async () => {
    const response = await get(`${streaming.url}/never-ends`);
    expect(response.status).toBe(502);
  });

  it('refuses a streaming handler behind a BUFFERED function URL', async () => {
    const response = await get(`${bufferedStreamingHandler.url}/plain`);
    expect(response.status).toBe(502);
  });

  it('refuses a buffered response over 6 MB, as Lambda does', async () => {
    const response = await get(`${buffered.url}/anything`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toEqual({ Message: 'Internal Server Error' });
  });
});
