import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './aws';
import {
  apiGatewayTime,
  collectHeaders,
  isTextBody,
  mapResult,
  queryParameters,
  readBody,
  sendJson,
} from './http-api';
import {
  captureEvent,
  createLambdaContext,
  DEFAULT_TIMEOUT_SECONDS,
  type FunctionSettings,
  FunctionTimeoutError,
  invokeHandler,
  type LambdaHandler,
} from './lambda';
import { jsonLogger, type LocalLogger } from './log';
import { type LoopbackServer, serveLoopback } from './loopback-server';
import { createStreamedResponse, isStreamingHandler } from './response-stream';
import { createSigV4Verifier, type SigV4Credentials } from './sigv4';

/*
 * A Lambda function URL in front of one handler (payload format 2.0): no routes (the handler routes
 * by method and rawPath), routeKey `$default`, the 6 MB request limit, and with AWS_IAM a SigV4 check
 * of every request (see sigv4.ts for what stands in for IAM locally). Refusals carry the function
 * URL's own bodies: 403 {"Message":"Forbidden"}. Invoke mode BUFFERED (default): the handler's
 * result is the response, at most 6 MB. RESPONSE_STREAM: a handler wrapped in
 * awslambda.streamifyResponse writes its response as it goes (response-stream.ts), up to 200 MB.
 */

/** Lambda's synchronous invocation payload limit, which bounds a buffered function URL's request. */
export const FUNCTION_URL_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

export interface FunctionUrlOptions extends FunctionSettings {
  handler: LambdaHandler;
  authType: 'AWS_IAM' | 'NONE';
  /** Default BUFFERED. RESPONSE_STREAM serves handlers wrapped in awslambda.streamifyResponse. */
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  /** Keys whose SigV4 signatures are accepted (AWS_IAM). Default the local stack's credentials. */
  credentials?: readonly SigV4Credentials[];
  /** Default 0: any free port. Always bound to 127.0.0.1. */
  port?: number;
  captureEventsDir?: string;
  logger?: LocalLogger;
}

type StreamingHandler = (event: unknown, stream: unknown, context: unknown) => unknown;

export type FunctionUrlServer = LoopbackServer;

export async function startFunctionUrl(options: FunctionUrlOptions): Promise<FunctionUrlServer> {
  const log = options.logger ?? jsonLogger('sluice-local');
  const region = options.region ?? LOCAL_REGION;
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const urlId = randomBytes(16).toString('hex');
  const verify =
    options.authType === 'AWS_IAM'
      ? createSigV4Verifier({
          credentials: options.credentials ?? [LOCAL_CREDENTIALS],
          region,
          service: 'lambda',
        })
      : undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = new Date();
    const method = (request.method ?? 'GET').toUpperCase();
    const [rawPath = '/', rawQueryString = ''] = (request.url ?? '/').split(/\?(.*)/s);
    const body = await readBody(request, FUNCTION_URL_PAYLOAD_LIMIT_BYTES);
    if (body === undefined) {
      sendJson(response, 413, {
        Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      });
      return;
    }
    const { headers, cookies } = collectHeaders(request);

    let iam: Record<string, unknown> | undefined;
    if (verify) {
      const verdict = await verify({ method, path: rawPath, rawQueryString, headers, body });
      if (!verdict.ok) {
        log('WARN', 'Function URL request refused', { reason: verdict.reason, path: rawPath });
        sendJson(response, 403, { Message: 'Forbidden' }, { 'x-amzn-errortype': 'AccessDeniedException' });
        return;
      }
      iam = {
        accessKey: verdict.accessKeyId,
        accountId: LOCAL_ACCOUNT_ID,
        callerId: verdict.accessKeyId,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${verdict.accessKeyId}`,
        userId: verdict.accessKeyId,
      };
    }

    const socket = request.socket;
    const sourceIp = (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    headers['x-forwarded-for'] ??= sourceIp;
    headers['x-forwarded-port'] ??= String(socket.localPort ?? '');
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-amzn-trace-id'] ??=
      `Root=1-${Math.floor(startedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const text = isTextBody(request.headers['content-type'], body);
    const queryStringParameters = queryParameters(rawQueryString);
    const requestId = randomUUID();
    const domainName = `${urlId}.lambda-url.${region}.on.aws`;
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      ...(cookies.length > 0 ? { cookies } : {}),
      headers,
      ...(queryStringParameters ? { queryStringParameters } : {}),
      requestContext: {
        accountId: iam ? LOCAL_ACCOUNT_ID : 'anonymous',
        apiId: urlId,
        ...(iam ? { authorizer: { iam } } : {}),
        domainName,
        domainPrefix: urlId,
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp,
          userAgent: request.headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: '$default',
        stage: '$default',
        time: apiGatewayTime(startedAt),
        timeEpoch: startedAt.getTime(),
      },
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !text,
    };

    const context = createLambdaContext(options, requestId);
    if (options.captureEventsDir) {
      await captureEvent(options.captureEventsDir, options.functionName, requestId, event).catch((error) =>
        log('WARN', 'Could not capture an event', { error }),
      );
    }
    if (isStreamingHandler(options.handler)) {
      if (options.invokeMode !== 'RESPONSE_STREAM') {
        log('ERROR', 'A streaming handler behind a BUFFERED function URL: set invokeMode RESPONSE_STREAM', {
          path: rawPath,
          requestId,
        });
        sendJson(response, 502, { Message: 'Internal Server Error' });
        return;
      }
      await invokeStreaming(event, context, requestId, rawPath, response);
      return;
    }
    let result: ReturnType<typeof mapResult>;
    try {
      const returned = await invokeHandler(options.handler, event, context, timeoutSeconds);
      // Lambda refuses a buffered result over 6 MB (as serialized): the URL answers 502.
      const size = Buffer.byteLength(
        typeof returned === 'string' ? returned : (JSON.stringify(returned) ?? ''),
      );
      if (size > FUNCTION_URL_PAYLOAD_LIMIT_BYTES) {
        throw new Error(
          `Response payload size (${size} bytes) exceeded the maximum allowed payload size (${FUNCTION_URL_PAYLOAD_LIMIT_BYTES} bytes): stream it (invokeMode RESPONSE_STREAM)`,
        );
      }
      result = mapResult(returned);
    } catch (error) {
      log('ERROR', 'Invocation failed', { path: rawPath, requestId, error });
      sendJson(response, 502, { Message: 'Internal Server Error' });
      return;
    }
    const responseHeaders: Record<string, string | string[]> = { ...result.headers };
    if (result.cookies.length > 0) responseHeaders['set-cookie'] = result.cookies;
    responseHeaders['content-length'] = String(result.body.length);
    responseHeaders['x-amzn-requestid'] = requestId;
    response.writeHead(result.statusCode, responseHeaders);
    response.end(result.body);
  }

  /**
   * A streaming invocation, as the runtime runs one: the handler gets the response stream, must
   * return a promise, and must end the stream; the response goes out as it is written. A failure
   * before the first byte is a 502; after it, the connection is cut (the client sees a truncated
   * body, as with Lambda's error trailers).
   */
  async function invokeStreaming(
    event: unknown,
    context: ReturnType<typeof createLambdaContext>,
    requestId: string,
    rawPath: string,
    response: ServerResponse,
  ): Promise<void> {
    const streamed = createStreamedResponse(response, { 'x-amzn-requestid': requestId });
    let timer: NodeJS.Timeout | undefined;
    const run = (async () => {
      const returned = (options.handler as unknown as StreamingHandler)(event, streamed.stream, context);
      if (!returned || typeof (returned as PromiseLike<unknown>).then !== 'function') {
        throw new Error('Streaming does not support non-async handlers.');
      }
      await returned;
      await streamed.finished;
    })();
    run.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(timeoutSeconds)), timeoutSeconds * 1000);
    });
    try {
      await Promise.race([run, timeout]);
    } catch (error) {
      log('ERROR', 'Invocation failed', { path: rawPath, requestId, error, bytesSent: streamed.bytes() });
      if (!streamed.headersSent() && !response.headersSent) {
        sendJson(response, 502, { Message: 'Internal Server Error' });
      } else {
        response.destroy();
      }
      streamed.stream.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  return serveLoopback(handle, {
    port: options.port,
    log,
    onError: (response) => sendJson(response, 500, { Message: 'Internal Server Error' }),
  });
}
