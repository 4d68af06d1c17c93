import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './aws';
import { createJwtVerifier, type JwtAuthorizerConfig } from './dev-issuer';
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
import { RouteThrottle, type Throttling } from './throttle';

/*
 * API Gateway HTTP API (payload format 2.0) in front of one Lambda handler: route matching, the
 * JWT authorizer (or none, per route), route throttling (429), the 10 MB payload limit, the event
 * and the response mapping as API Gateway does them, with API Gateway's own error bodies. CORS
 * preflights are answered permissively for local development.
 */

export const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** API Gateway gives up on an integration after 30 s (503); Lambda's own timeout fails first (500). */
const INTEGRATION_TIMEOUT_SECONDS = 30;
const LOCAL_API_ID = 'sluicelocal';

export interface HttpApiOptions extends FunctionSettings {
  handler: LambdaHandler;
  /** Route keys: "POST /uploads", "GET /assets/{id}", "ANY /files/{proxy+}", "$default". */
  routes: string[];
  /** Verify `Authorization: Bearer <jwt>` on every route; false for no authorizer. */
  authorizer: JwtAuthorizerConfig | false;
  /** The stage's default route throttling; none: unthrottled. */
  throttling?: Throttling;
  /** Per route key: `authorization: 'none'` leaves the route public; `throttling` overrides the default. */
  routeSettings?: Record<string, RouteSettings>;
  /** Milliseconds, monotonic; for tests of throttling. */
  clock?: () => number;
  /** Default 0: any free port. Always bound to 127.0.0.1. */
  port?: number;
  captureEventsDir?: string;
  logger?: LocalLogger;
  /** Local extras on the same origin (the web page, /local/*): true when it answered the request. */
  intercept?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
}

export interface RouteSettings {
  authorization?: 'jwt' | 'none';
  throttling?: Throttling;
}

export type HttpApiServer = LoopbackServer;

export interface Route {
  routeKey: string;
  method: string;
  segments: string[];
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

export function parseRoute(routeKey: string): Route {
  if (routeKey === '$default') return { routeKey, method: 'ANY', segments: [] };
  const match = /^([A-Z]+)\s+(\/\S*)$/.exec(routeKey.trim());
  if (!match?.[1] || !match[2]) throw new Error(`Invalid route "${routeKey}": expected "METHOD /path"`);
  return { routeKey, method: match[1], segments: match[2].split('/').filter(Boolean) };
}

const isGreedy = (segment: string) => /^\{[^}]+\+\}$/.test(segment);
const isVariable = (segment: string) => /^\{[^}]+\}$/.test(segment);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchPath(route: Route, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i] ?? '';
    if (isGreedy(segment)) {
      if (i !== route.segments.length - 1 || parts.length <= i) return undefined;
      params[segment.slice(1, -2)] = parts.slice(i).map(decodeSegment).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (isVariable(segment)) params[segment.slice(1, -1)] = decodeSegment(part);
    else if (segment !== part) return undefined;
  }
  return parts.length === route.segments.length ? params : undefined;
}

/**
 * The route API Gateway would pick: the most specific match wins (literal segments over
 * variables, variables over greedy {proxy+}, a method over ANY); `$default` only when nothing
 * else matches.
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const pathParameters = matchPath(route, parts);
    if (!pathParameters) continue;
    const score = [
      route.segments.some(isGreedy) ? 0 : 1,
      route.segments.filter((s) => !isVariable(s)).length,
      route.method === 'ANY' ? 0 : 1,
    ];
    if (!best || compareScores(score, best.score) > 0) best = { match: { route, pathParameters }, score };
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** API Gateway passes every claim as a string; arrays Go-style, as `[a b]`. */
export function stringifyClaim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([k, v]) => `${k}:${stringifyClaim(v)}`).join(' ')}]`;
  }
  return String(value);
}

const TEXT_CONTENT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml)\b/,
  /\+(json|xml)\b/,
];

/** Text bodies reach the handler as strings; anything else base64-encoded (isBase64Encoded). */
export function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  if (!contentType) return isUtf8(body);
  const type = contentType.toLowerCase();
  return TEXT_CONTENT_TYPES.some((pattern) => pattern.test(type));
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

/** `04/Dec/2026:20:15:39 +0000`, as in requestContext.time. */
export function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Headers lowercased, repeated ones joined with commas, cookies split out (payload 2.0 rules). */
export function collectHeaders(request: IncomingMessage): {
  headers: Record<string, string>;
  cookies: string[];
} {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    params[name] = params[name] === undefined ? value : `${params[name]},${value}`;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

export function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Permissive CORS for local development only (the web client will be same-origin later). */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': request.headers.origin ?? '*',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': '*',
    vary: 'Origin',
  };
}

function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(204, {
    ...corsHeaders(request),
    'access-control-allow-methods':
      request.headers['access-control-request-method'] ?? 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
    'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
    'access-control-max-age': '600',
  });
  response.end();
}

/**
 * Reads the body; undefined once it passes the payload limit. The rest is drained, not kept, so
 * the client gets to read the 413; past 10x the limit the connection is simply dropped.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * 10) request.destroy(new Error('Request body far over the payload limit'));
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface StructuredResult {
  statusCode: number;
  headers?: Record<string, unknown>;
  cookies?: unknown[];
  body?: unknown;
  isBase64Encoded?: boolean;
}

/** Maps a handler result to the HTTP response as API Gateway does for payload format 2.0. */
export function mapResult(result: unknown): {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
} {
  const isStructured =
    result !== null && typeof result === 'object' && 'statusCode' in (result as Record<string, unknown>);
  if (!isStructured) {
    // No statusCode: API Gateway assumes 200, JSON, and the whole result as the body.
    const body = typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const structured = result as StructuredResult;
  if (
    !Number.isInteger(structured.statusCode) ||
    structured.statusCode < 100 ||
    structured.statusCode > 599
  ) {
    throw new Error(`Invalid statusCode in the handler's response: ${String(structured.statusCode)}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const rawBody = structured.body;
  const text =
    rawBody === undefined || rawBody === null
      ? ''
      : typeof rawBody === 'string'
        ? rawBody
        : JSON.stringify(rawBody);
  return {
    statusCode: structured.statusCode,
    headers,
    cookies: (structured.cookies ?? []).map(String),
    body: structured.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiServer> {
  const routes = options.routes.map(parseRoute);
  const routeSettings = options.routeSettings ?? {};
  for (const routeKey of Object.keys(routeSettings)) {
    if (!options.routes.includes(routeKey)) throw new Error(`Route settings for unknown route "${routeKey}"`);
  }
  const throttle = new RouteThrottle(
    options.throttling,
    Object.fromEntries(Object.entries(routeSettings).map(([key, s]) => [key, s.throttling])),
    options.clock,
  );
  const log = options.logger ?? jsonLogger('sluice-local');
  const verify = options.authorizer ? createJwtVerifier(options.authorizer) : undefined;
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = new Date();
    const method = (request.method ?? 'GET').toUpperCase();
    const [rawPath = '/', rawQueryString = ''] = (request.url ?? '/').split(/\?(.*)/s);

    if (method === 'OPTIONS' && request.headers['access-control-request-method']) {
      answerPreflight(request, response);
      return;
    }
    if (options.intercept && (await options.intercept(request, response))) return;
    const cors = corsHeaders(request);

    const body = await readBody(request, PAYLOAD_LIMIT_BYTES);
    if (body === undefined) {
      sendJson(response, 413, { message: 'Request Entity Too Large' }, cors);
      return;
    }

    const match = matchRoute(routes, method, rawPath);
    if (!match) {
      sendJson(response, 404, { message: 'Not Found' }, cors);
      return;
    }

    if (!throttle.admit(match.route.routeKey)) {
      sendJson(response, 429, { message: 'Too Many Requests' }, cors);
      return;
    }

    const { headers, cookies } = collectHeaders(request);
    let claims: Record<string, string> | undefined;
    let scopes: string[] | null = null;
    if (verify && routeSettings[match.route.routeKey]?.authorization !== 'none') {
      const token = /^(?:Bearer\s+)?(\S+)$/i.exec(request.headers.authorization?.trim() ?? '')?.[1];
      if (!token) {
        sendJson(response, 401, { message: 'Unauthorized' }, { ...cors, 'www-authenticate': 'Bearer' });
        return;
      }
      try {
        const payload = await verify(token);
        claims = Object.fromEntries(
          Object.entries(payload).map(([name, value]) => [name, stringifyClaim(value)]),
        );
        const scope = typeof payload.scope === 'string' ? payload.scope : undefined;
        scopes = scope ? scope.split(' ').filter(Boolean) : null;
      } catch (error) {
        const description = (error as Error).message.replace(/"/g, "'");
        sendJson(
          response,
          401,
          { message: 'Unauthorized' },
          {
            ...cors,
            'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${description}"`,
          },
        );
        return;
      }
    }

    const socket = request.socket;
    const sourceIp = (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    headers['x-forwarded-for'] ??= sourceIp;
    headers['x-forwarded-port'] ??= String(socket.localPort ?? '');
    headers['x-forwarded-proto'] ??= 'http';
    headers['x-amzn-trace-id'] ??=
      `Root=1-${Math.floor(startedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

    const domainName = (request.headers.host ?? `127.0.0.1:${socket.localPort}`).replace(/:\d+$/, '');
    const text = isTextBody(request.headers['content-type'], body);
    const queryStringParameters = queryParameters(rawQueryString);
    const requestId = `${randomBytes(10).toString('base64').slice(0, 14).replace(/[+/]/g, 'A')}=`;
    const event = {
      version: '2.0',
      routeKey: match.route.routeKey,
      rawPath,
      rawQueryString,
      ...(cookies.length > 0 ? { cookies } : {}),
      headers,
      ...(queryStringParameters ? { queryStringParameters } : {}),
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: LOCAL_API_ID,
        ...(claims ? { authorizer: { jwt: { claims, scopes } } } : {}),
        domainName,
        domainPrefix: domainName.split('.')[0] ?? domainName,
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp,
          userAgent: request.headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: match.route.routeKey,
        stage: '$default',
        time: apiGatewayTime(startedAt),
        timeEpoch: startedAt.getTime(),
      },
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
      isBase64Encoded: body.length > 0 && !text,
    } as APIGatewayProxyEventV2WithJWTAuthorizer;

    const context = createLambdaContext(options, randomUUID());
    if (options.captureEventsDir) {
      await captureEvent(options.captureEventsDir, options.functionName, context.awsRequestId, event).catch(
        (error) => log('WARN', 'Could not capture an event', { error }),
      );
    }

    let result: ReturnType<typeof mapResult>;
    try {
      const effectiveTimeout = Math.min(timeoutSeconds, INTEGRATION_TIMEOUT_SECONDS);
      result = mapResult(await invokeHandler(options.handler, event, context, effectiveTimeout));
    } catch (error) {
      const integrationTimedOut =
        error instanceof FunctionTimeoutError && timeoutSeconds > INTEGRATION_TIMEOUT_SECONDS;
      log('ERROR', 'Invocation failed', {
        route: match.route.routeKey,
        requestId: context.awsRequestId,
        error,
      });
      if (integrationTimedOut) sendJson(response, 503, { message: 'Service Unavailable' }, cors);
      else sendJson(response, 500, { message: 'Internal Server Error' }, cors);
      return;
    }
    const responseHeaders: Record<string, string | string[]> = { ...cors, ...result.headers };
    if (result.cookies.length > 0) responseHeaders['set-cookie'] = result.cookies;
    responseHeaders['content-length'] = String(result.body.length);
    responseHeaders['apigw-requestid'] = requestId;
    response.writeHead(result.statusCode, responseHeaders);
    response.end(result.body);
    log('DEBUG', 'Request served', {
      route: match.route.routeKey,
      statusCode: result.statusCode,
      requestId: context.awsRequestId,
      durationMs: Date.now() - startedAt.getTime(),
    });
  }

  return serveLoopback(handle, {
    port: options.port,
    log,
    onError: (response) => sendJson(response, 500, { message: 'Internal Server Error' }),
  });
}
