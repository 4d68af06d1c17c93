import { isTenantId, type Logger } from '@sluice/runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from './domain/http-error';

/*
 * The HTTP edge shared by the public API and the internal function URL: payload format 2.0 in,
 * JSON out, every refusal as `{ "error": { "code", "message", "details"? } }` (api-error/v1).
 */

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** An HTTP API event; `authorizer` is there on JWT routes (claims) and IAM function URLs (iam). */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null };
      iam?: { accessKey?: string; accountId?: string; userArn?: string };
    };
  };
};

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function errorBody(error: HttpError): {
  error: { code: string; message: string; details?: string[] };
} {
  const details = Array.isArray(error.details)
    ? error.details.filter((d): d is string => typeof d === 'string').slice(0, 100)
    : undefined;
  return {
    error: {
      code: error.code,
      message: error.message.slice(0, 1024),
      ...(details && details.length > 0 ? { details: details.map((d) => d.slice(0, 1024)) } : {}),
    },
  };
}

/** The body's bytes, exactly as sent. */
export function rawBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** The JSON body; an empty body is `undefined` when optional, else a 400. */
export function jsonBody(event: HttpEvent, optional = false): unknown {
  const bytes = rawBody(event);
  if (bytes.length === 0) {
    if (optional) return undefined;
    throw new HttpError(400, 'invalid-request', 'A JSON body is required');
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid-json', 'The body is not valid JSON');
  }
}

export function queryOf(event: HttpEvent): Record<string, string | undefined> {
  return { ...event.queryStringParameters };
}

/** The tenant the JWT authorizer vouched for; API Gateway passes claims as strings. */
export function tenantOf(event: HttpEvent): string {
  const tenantId = event.requestContext.authorizer?.jwt?.claims?.tenant_id;
  if (typeof tenantId !== 'string' || !isTenantId(tenantId)) {
    throw new HttpError(403, 'no-tenant', 'The token carries no valid tenant_id claim');
  }
  return tenantId;
}

/** Runs a route, answering HttpErrors with their status and anything else with a logged 500. */
export async function respond(
  logger: Logger,
  route: string,
  run: () => Promise<HttpResult>,
  context: Record<string, unknown> = {},
): Promise<HttpResult> {
  const started = performance.now();
  try {
    const result = await run();
    logger.info('Request handled', {
      route,
      statusCode: result.statusCode,
      durationMs: performance.now() - started,
      ...context,
    });
    return result;
  } catch (error) {
    if (error instanceof HttpError) {
      logger.warn('Request refused', {
        route,
        statusCode: error.statusCode,
        code: error.code,
        reason: error.message,
        durationMs: performance.now() - started,
        ...context,
      });
      return json(error.statusCode, errorBody(error));
    }
    logger.error('Request failed', {
      route,
      error: error as Error,
      durationMs: performance.now() - started,
      ...context,
    });
    return json(500, { error: { code: 'internal', message: 'Internal error' } });
  }
}
