import { createHash } from 'node:crypto';
import { assertValid, type WebhookReceipt } from '@sluice/contracts';
import { type Logger, uploadKey } from '@sluice/runtime';
import { HttpError } from '../domain/http-error';
import {
  assetIdOfDelivery,
  isWebhookSourceName,
  verifyWebhook,
  type WebhookSource,
} from '../domain/webhook-signature';
import type { WebhookInbox } from '../ports/webhook-inbox';

export interface ReceiveWebhookDeps {
  inbox: WebhookInbox;
  sources: Readonly<Record<string, WebhookSource>>;
  toleranceSeconds: number;
  maxBytes: number;
  logger?: Logger;
  now?: () => Date;
}

export interface WebhookRequest {
  source: string;
  /** Lowercased names, as API Gateway passes them. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, byte for byte as signed. */
  body: Buffer;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * POST /webhooks/{source}: verifies the sender's HMAC-SHA256 over timestamp and body with the
 * source's secrets, inside the replay window, accepts each delivery once, and stores it as a
 * webhook-envelope/v1 under uploads/{tenantId}/{assetId}/ (the source's tenant), from where it
 * flows through the pipeline like any upload. The asset id derives from the delivery, so a retried
 * delivery can never make a second asset.
 */
export async function receiveWebhook(
  request: WebhookRequest,
  deps: ReceiveWebhookDeps,
): Promise<WebhookReceipt> {
  // Unknown sources and bad names look alike: nothing tells a prober which sources exist.
  const source = isWebhookSourceName(request.source) ? deps.sources[request.source] : undefined;
  if (!source) throw new HttpError(404, 'unknown-source', `No webhook source "${request.source}"`);
  if (request.body.length === 0) throw new HttpError(400, 'empty-body', 'A webhook needs a body');
  if (request.body.length > deps.maxBytes) {
    throw new HttpError(
      413,
      'payload-too-large',
      `The body is ${request.body.length} bytes; the limit is ${deps.maxBytes}`,
    );
  }
  const now = deps.now?.() ?? new Date();
  const { signedAt, deliveryId } = verifyWebhook({
    source: request.source,
    headers: request.headers,
    body: request.body,
    secrets: source.secrets,
    now,
    toleranceSeconds: deps.toleranceSeconds,
  });

  const assetId = assetIdOfDelivery(deliveryId);
  const key = uploadKey({ tenantId: source.tenantId, assetId, fileName: `webhook-${request.source}.json` });
  const receivedAt = now.toISOString();
  const receipt = { deliveryId, source: request.source, tenantId: source.tenantId, assetId, key, receivedAt };
  if (!(await deps.inbox.claim(receipt))) {
    throw new HttpError(409, 'webhook-replayed', `Delivery ${deliveryId} was already received`);
  }
  const text = isUtf8(request.body);
  const envelope = assertValid('webhook-envelope/v1', {
    specVersion: '1.0',
    deliveryId,
    source: request.source,
    tenantId: source.tenantId,
    assetId,
    receivedAt,
    signedAt: signedAt.toISOString(),
    contentType: (request.headers['content-type'] ?? 'application/octet-stream').slice(0, 255),
    encoding: text ? 'utf8' : 'base64',
    payload: text ? request.body.toString('utf8') : request.body.toString('base64'),
    sha256: createHash('sha256').update(request.body).digest('hex'),
    size: request.body.length,
  });
  try {
    await deps.inbox.store(key, `${JSON.stringify(envelope)}\n`, {
      'webhook-source': request.source,
      'delivery-id': deliveryId,
    });
  } catch (error) {
    // Not stored: forget the delivery so the sender's retry is accepted, then fail (5xx: retry).
    await deps.inbox.release(receipt).catch((releaseError: unknown) =>
      deps.logger?.error('Webhook neither stored nor released: its retries will be refused as replays', {
        deliveryId,
        source: request.source,
        error: releaseError as Error,
      }),
    );
    throw error;
  }
  return assertValid('webhook-receipt/v1', { assetId, key, deliveryId, receivedAt });
}
