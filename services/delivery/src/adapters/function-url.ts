import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { DeliveryRequest, DeliveryResponse } from '../app/deliver';

/*
 * The function URL side of delivery, with Lambda response streaming: the handler is wrapped in
 * awslambda.streamifyResponse, writes the status and headers as the HttpResponseStream prelude and
 * streams the body after it, so outputs over the 6 MB of a buffered response go through (up to
 * 200 MB). `awslambda` is the global the Lambda Node.js runtime defines (the local function host
 * defines the same); outside both, an equivalent writes the same bytes.
 */

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** Body chunks handed to the response stream: backpressure applies between them. */
const CHUNK_BYTES = 256 * 1024;

export interface ResponseStream extends Writable {
  setContentType(contentType: string): void;
}

export type StreamingHandler<E> = (
  event: E,
  responseStream: ResponseStream,
  context: Context,
) => Promise<void>;

export interface StreamingRuntime {
  streamifyResponse<E>(handler: StreamingHandler<E>): StreamingHandler<E>;
  HttpResponseStream: { from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream };
}

/** The same wire format as the runtime's, written eagerly (for hosts without the global, and tests). */
const equivalentRuntime: StreamingRuntime = {
  streamifyResponse(handler) {
    (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

/** The runtime's `awslambda` when there is one, else the equivalent. */
export function streamingRuntime(): StreamingRuntime {
  const global = (globalThis as { awslambda?: Partial<StreamingRuntime> }).awslambda;
  return global?.streamifyResponse && global.HttpResponseStream
    ? (global as StreamingRuntime)
    : equivalentRuntime;
}

/** Function URL events carry lowercase header names, comma-joined when repeated. */
export function toDeliveryRequest(event: LambdaFunctionURLEvent): DeliveryRequest {
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    rawQuery: event.rawQueryString ?? '',
    accept: event.headers?.accept,
    ifNoneMatch: event.headers?.['if-none-match'],
  };
}

function* chunks(body: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
    yield body.subarray(offset, offset + CHUNK_BYTES);
  }
}

/** Writes a response: the prelude, then the body streamed with backpressure; ends the stream once `pending` is done. */
export async function writeResponse(
  runtime: StreamingRuntime,
  responseStream: ResponseStream,
  response: DeliveryResponse,
): Promise<void> {
  const out = runtime.HttpResponseStream.from(responseStream, {
    statusCode: response.status,
    headers: response.headers,
  });
  if (response.body === undefined) {
    // The prelude goes out on the first write: an empty one sends a head without a body.
    out.write('');
  } else {
    const source = Buffer.isBuffer(response.body) ? Readable.from(chunks(response.body)) : response.body;
    await pipeline(source, out, { end: false });
  }
  // The response is complete once what it announced is done (a variant stored): a client that
  // has it can count on the next request finding the variant.
  await response.pending;
  await new Promise<void>((resolve) => out.end(resolve));
}
