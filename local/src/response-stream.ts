import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

/*
 * Lambda response streaming as the Node.js runtime provides it, for function URLs with invoke mode
 * RESPONSE_STREAM: the `awslambda` global (streamifyResponse, HttpResponseStream), the response
 * stream a streaming handler writes to, and the function URL's reading of it. The wire format is
 * the runtime's: HttpResponseStream.from() sets the content type
 * application/vnd.awslambda.http-integration-response and, right before the first write, writes the
 * JSON prelude ({ statusCode, headers, cookies }) and 8 NUL bytes; what follows is the body, sent to
 * the client as it comes (chunked). Without the prelude the client gets 200 and the content type
 * set with setContentType (default application/octet-stream).
 */

/** The marker streamifyResponse puts on a handler (the runtime's own symbol). */
export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
export const STREAM_RESPONSE = 'response';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LENGTH = 8;
/** Lambda's limit for a streamed response. */
export const STREAMED_RESPONSE_LIMIT_BYTES = 200 * 1024 * 1024;

type WriteFn = (chunk: unknown) => unknown;

/** What a streaming handler receives as its second argument. */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: WriteFn) => void;
}

export function isStreamingHandler(handler: unknown): boolean {
  return (
    typeof handler === 'function' &&
    (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] === STREAM_RESPONSE
  );
}

/** awslambda.HttpResponseStream, as the runtime implements it (only its static `from` is public). */
export const HttpResponseStream = {
  from(underlying: LambdaResponseStream, prelude: Record<string, unknown>): LambdaResponseStream {
    underlying.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    // NUL is not allowed in the prelude: JSON never contains a raw one.
    const metadata = JSON.stringify(prelude);
    underlying._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(DELIMITER_LENGTH));
    };
    return underlying;
  },
};

/**
 * Defines globalThis.awslambda as the Lambda Node.js runtime does before it loads a handler module
 * (unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set, the runtime's own escape hatch).
 */
export function installAwsLambdaGlobal(env: NodeJS.ProcessEnv = process.env): void {
  const optOut = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (optOut === '1' || optOut === 'true') return;
  const target = globalThis as unknown as { awslambda?: Record<string, unknown> };
  target.awslambda = {
    ...target.awslambda,
    streamifyResponse: <T>(handler: T): T => {
      (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
}

interface Head {
  statusCode: number;
  headers: Record<string, string | string[]>;
}

/** The HTTP head a prelude asks for; a malformed prelude is the function's error (502). */
function headFromPrelude(json: string): Head {
  const prelude = JSON.parse(json) as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown[];
  };
  const statusCode = prelude.statusCode === undefined ? 200 : Number(prelude.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new Error(`Invalid statusCode in the response stream's prelude: ${String(prelude.statusCode)}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(prelude.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  if (Array.isArray(prelude.cookies) && prelude.cookies.length > 0) {
    headers['set-cookie'] = prelude.cookies.map(String);
  }
  return { statusCode, headers };
}

export interface StreamedResponse {
  /** Handed to the handler. */
  stream: LambdaResponseStream;
  /** Settles once the handler's stream has finished and everything reached the HTTP response. */
  finished: Promise<void>;
  headersSent(): boolean;
  /** Bytes of body written so far. */
  bytes(): number;
}

/**
 * A response stream whose bytes become an HTTP response: the prelude (if any) becomes the status
 * and headers, the rest streams through with backpressure. `extraHeaders` are added to every
 * response (x-amzn-requestid).
 */
export function createStreamedResponse(
  response: ServerResponse,
  extraHeaders: Record<string, string> = {},
  limitBytes = STREAMED_RESPONSE_LIMIT_BYTES,
): StreamedResponse {
  let contentType = 'application/octet-stream';
  let state: 'ready' | 'prelude' | 'body' = 'ready';
  let pending = Buffer.alloc(0);
  let bodyBytes = 0;

  const sendHead = (head: Head) => {
    response.writeHead(head.statusCode, { ...head.headers, ...extraHeaders });
    // Headers go out now, as on AWS, even before the first body byte.
    response.flushHeaders();
    state = 'body';
  };

  const writeBody = (chunk: Buffer, callback: (error?: Error | null) => void) => {
    if (chunk.length === 0) return callback();
    bodyBytes += chunk.length;
    if (bodyBytes > limitBytes) {
      return callback(new Error(`Streamed response over ${limitBytes} bytes: Lambda ends it there`));
    }
    if (response.write(chunk)) callback();
    else response.once('drain', () => callback());
  };

  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        if (state === 'ready') {
          if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) state = 'prelude';
          else sendHead({ statusCode: 200, headers: { 'content-type': contentType } });
        }
        if (state === 'prelude') {
          pending = Buffer.concat([pending, chunk]);
          const end = pending.indexOf(Buffer.alloc(DELIMITER_LENGTH));
          if (end < 0) return callback();
          sendHead(headFromPrelude(pending.subarray(0, end).toString('utf8')));
          const rest = pending.subarray(end + DELIMITER_LENGTH);
          pending = Buffer.alloc(0);
          return writeBody(rest, callback);
        }
        writeBody(chunk, callback);
      } catch (error) {
        callback(error as Error);
      }
    },
    final(callback) {
      if (state !== 'body') {
        // Nothing written at all: AWS answers 200 with no body.
        sendHead({ statusCode: 200, headers: { 'content-type': contentType } });
      }
      response.end(() => callback());
    },
  }) as LambdaResponseStream;

  // The runtime's write: the prelude goes out right before the first write of the handler.
  const originalWrite = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let written = false;
  (stream as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const data =
      typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
        ? chunk
        : JSON.stringify(chunk);
    if (!written && typeof stream._onBeforeFirstWrite === 'function') {
      stream._onBeforeFirstWrite((part) => originalWrite(part));
    }
    written = true;
    return originalWrite(data, ...rest);
  };
  stream.setContentType = (type: string) => {
    if (written) throw new Error('Cannot set content-type, too late.');
    contentType = type;
  };

  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('error', reject);
  });
  finished.catch(() => {});
  return { stream, finished, headersSent: () => state === 'body', bytes: () => bodyBytes };
}
