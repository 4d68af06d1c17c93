import type { OriginalStore } from '@sluice/archiver';
import type { Logger, ObjectStore } from '@sluice/runtime';
import { getAssetStatus } from './app/get-asset-status';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  signPart,
  signParts,
} from './app/multipart';
import { receiveWebhook } from './app/receive-webhook';
import { restoreAssetOriginal } from './app/restore-original';
import { searchAssets } from './app/search-assets';
import { createUpload, createUploadParams } from './app/uploads';
import type { ContentTypePolicy } from './domain/content-types';
import { HttpError } from './domain/http-error';
import type { WebhookSource } from './domain/webhook-signature';
import { type HttpEvent, type HttpResult, json, jsonBody, queryOf, rawBody, respond, tenantOf } from './http';
import type { DownloadUrlSigner } from './ports/download-url-signer';
import type { MultipartUploads } from './ports/multipart-uploads';
import type { SearchPort } from './ports/search';
import type { UploadSigner } from './ports/upload-signer';
import type { WebhookInbox } from './ports/webhook-inbox';

/** Everything the public API's routes use, injected (handler.ts wires the AWS adapters). */
export interface ApiDeps {
  logger: Logger;
  signer: UploadSigner;
  multipart: MultipartUploads;
  objects: ObjectStore;
  urls: DownloadUrlSigner;
  /** Originals wherever they are (ingest or archive bucket): status, restores, download URLs. */
  originals: OriginalStore;
  search: SearchPort;
  inbox: WebhookInbox;
  ingestBucket: string;
  processedBucket: string;
  archiveBucket: string;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  allowedContentTypes: ContentTypePolicy;
  renditionUrlTtlSeconds: number;
  webhookSources: Readonly<Record<string, WebhookSource>>;
  webhookToleranceSeconds: number;
  webhookMaxBytes: number;
  now?: () => Date;
}

type Route = (event: HttpEvent, deps: ApiDeps) => Promise<HttpResult>;

const param = (event: HttpEvent, name: string) => event.pathParameters?.[name] ?? '';

/** The routes of topology.json's ingest service, by API Gateway route key. */
export const ROUTES: Readonly<Record<string, Route>> = {
  'POST /uploads': async (event, deps) =>
    json(201, await createUpload(tenantOf(event), jsonBody(event), deps)),
  'GET /s3/params': async (event, deps) =>
    json(200, await createUploadParams(tenantOf(event), queryOf(event), deps)),
  'POST /s3/multipart': async (event, deps) =>
    json(
      200,
      await createMultipartUpload(tenantOf(event), jsonBody(event), { ...deps, uploads: deps.multipart }),
    ),
  'GET /s3/multipart/{uploadId}': async (event, deps) =>
    json(
      200,
      await listParts(tenantOf(event), param(event, 'uploadId'), queryOf(event), {
        ...deps,
        uploads: deps.multipart,
      }),
    ),
  'GET /s3/multipart/{uploadId}/batch': async (event, deps) =>
    json(
      200,
      await signParts(tenantOf(event), param(event, 'uploadId'), queryOf(event), {
        ...deps,
        uploads: deps.multipart,
      }),
    ),
  'GET /s3/multipart/{uploadId}/{partNumber}': async (event, deps) =>
    json(
      200,
      await signPart(tenantOf(event), param(event, 'uploadId'), param(event, 'partNumber'), queryOf(event), {
        ...deps,
        uploads: deps.multipart,
      }),
    ),
  'POST /s3/multipart/{uploadId}/complete': async (event, deps) =>
    json(
      200,
      await completeMultipartUpload(
        tenantOf(event),
        param(event, 'uploadId'),
        queryOf(event),
        jsonBody(event),
        {
          ...deps,
          uploads: deps.multipart,
        },
      ),
    ),
  'DELETE /s3/multipart/{uploadId}': async (event, deps) =>
    json(
      200,
      await abortMultipartUpload(tenantOf(event), param(event, 'uploadId'), queryOf(event), {
        ...deps,
        uploads: deps.multipart,
      }),
    ),
  'GET /assets/{id}': async (event, deps) =>
    json(200, await getAssetStatus(tenantOf(event), param(event, 'id'), deps)),
  'POST /assets/{id}/restore': async (event, deps) =>
    json(202, await restoreAssetOriginal(tenantOf(event), param(event, 'id'), jsonBody(event, true), deps)),
  'GET /search': async (event, deps) =>
    json(200, await searchAssets(tenantOf(event), queryOf(event), deps.search)),
  // Public at the gateway (no JWT): the signature is the authentication.
  'POST /webhooks/{source}': async (event, deps) =>
    json(
      202,
      await receiveWebhook(
        { source: param(event, 'source'), headers: event.headers ?? {}, body: rawBody(event) },
        {
          inbox: deps.inbox,
          sources: deps.webhookSources,
          toleranceSeconds: deps.webhookToleranceSeconds,
          maxBytes: deps.webhookMaxBytes,
          logger: deps.logger,
          ...(deps.now ? { now: deps.now } : {}),
        },
      ),
    ),
};

/** The public API as one Lambda handler over API Gateway payload 2.0 events. */
export function createApi(deps: ApiDeps): (event: HttpEvent) => Promise<HttpResult> {
  return (event) =>
    respond(deps.logger, event.routeKey, async () => {
      const route = Object.hasOwn(ROUTES, event.routeKey) ? ROUTES[event.routeKey] : undefined;
      if (!route) throw new HttpError(404, 'not-found', `No route ${event.routeKey}`);
      return route(event, deps);
    });
}
