import { createLogger, createS3Client, isTenantId, S3Objects } from '@sluice/runtime';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { S3UploadSigner } from './adapters/s3-upload-signer';
import { createUpload } from './app/create-upload';
import { getAssetStatus } from './app/get-asset-status';
import { readConfig } from './config';
import { HttpError } from './domain/http-error';

// Composition root: config and clients are created once per container, not per invocation.
const config = readConfig();
const logger = createLogger('ingest');
const s3 = createS3Client(config.aws);
const objects = new S3Objects(s3);
const signer = new S3UploadSigner(s3);

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function parseBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  if (!event.body) throw new HttpError(400, 'invalid-request', 'A JSON body is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'The body is not valid JSON');
  }
}

/** The tenant the JWT authorizer vouched for; API Gateway passes claims as strings. */
function tenantOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): string {
  const tenantId = event.requestContext.authorizer?.jwt?.claims?.tenant_id;
  if (typeof tenantId !== 'string' || !isTenantId(tenantId)) {
    throw new HttpError(403, 'no-tenant', 'The token carries no valid tenant_id claim');
  }
  return tenantId;
}

async function route(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyStructuredResultV2> {
  const tenantId = tenantOf(event);
  switch (event.routeKey) {
    case 'POST /uploads':
      return json(201, await createUpload(tenantId, parseBody(event), { signer, ...config }));
    case 'GET /assets/{id}':
      return json(
        200,
        await getAssetStatus(tenantId, event.pathParameters?.id ?? '', { objects, ...config }),
      );
    default:
      throw new HttpError(404, 'not-found', `No route ${event.routeKey}`);
  }
}

export async function handler(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  try {
    const result = await route(event);
    logger.info('Request handled', {
      route: event.routeKey,
      statusCode: result.statusCode,
      durationMs: performance.now() - started,
    });
    return result;
  } catch (error) {
    if (error instanceof HttpError) {
      logger.warn('Request refused', {
        route: event.routeKey,
        statusCode: error.statusCode,
        code: error.code,
      });
      return json(error.statusCode, { error: { code: error.code, message: error.message } });
    }
    logger.error('Request failed', { route: event.routeKey, error: error as Error });
    return json(500, { error: { code: 'internal', message: 'Internal error' } });
  }
}
