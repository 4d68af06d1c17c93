import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError, isTenantId } from '@sluice/runtime';
import { HttpError } from './http-error';

/*
 * Third-party webhooks are signed the way Stripe and Svix sign theirs: the sender computes
 * HMAC-SHA256(secret, `${timestamp}.${rawBody}`) and sends
 *
 *   x-sluice-timestamp: <unix seconds>
 *   x-sluice-signature: v1=<hex>[,v1=<hex>...]   (several while a secret rotates)
 *
 * The timestamp must be within the tolerance of now (the replay window); within it, a delivery is
 * accepted once (see receive-webhook.ts). Comparison is constant-time.
 */

export const TIMESTAMP_HEADER = 'x-sluice-timestamp';
export const SIGNATURE_HEADER = 'x-sluice-signature';
const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MIN_SECRET_LENGTH = 16;

export interface WebhookSource {
  tenantId: string;
  /** Every secret currently accepted: the new one first while rotating. */
  secrets: string[];
}

export function isWebhookSourceName(name: string): boolean {
  return SOURCE_NAME.test(name);
}

/** WEBHOOK_SOURCES: `{ "<source>": { "tenantId": "acme", "secrets": ["..."] } }`. */
export function parseWebhookSources(json: string): Record<string, WebhookSource> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('WEBHOOK_SOURCES is not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('WEBHOOK_SOURCES must be an object of sources');
  }
  const sources: Record<string, WebhookSource> = {};
  for (const [name, value] of Object.entries(raw)) {
    const where = `WEBHOOK_SOURCES.${name}`;
    if (!isWebhookSourceName(name))
      throw new ConfigError(`${where}: source names are lowercase letters, digits and -`);
    const { tenantId, secrets } = (value ?? {}) as { tenantId?: unknown; secrets?: unknown };
    if (typeof tenantId !== 'string' || !isTenantId(tenantId))
      throw new ConfigError(`${where}.tenantId is not a tenant id`);
    if (
      !Array.isArray(secrets) ||
      secrets.length === 0 ||
      !secrets.every((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    ) {
      throw new ConfigError(`${where}.secrets must list secrets of at least ${MIN_SECRET_LENGTH} characters`);
    }
    sources[name] = { tenantId, secrets: secrets as string[] };
  }
  return sources;
}

/** The v1 signature of a body, as a sender computes it. */
export function signWebhook(secret: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export interface VerifiedWebhook {
  signedAt: Date;
  /** Identifies this delivery: the same source, timestamp and signature always give the same id. */
  deliveryId: string;
}

export interface VerifyWebhookInput {
  source: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  secrets: readonly string[];
  now: Date;
  toleranceSeconds: number;
}

/** Checks the signature and the replay window; throws a 401 HttpError saying which failed. */
export function verifyWebhook(input: VerifyWebhookInput): VerifiedWebhook {
  const timestampHeader = input.headers[TIMESTAMP_HEADER]?.trim();
  const signatureHeader = input.headers[SIGNATURE_HEADER]?.trim();
  if (!timestampHeader || !signatureHeader) {
    throw new HttpError(
      401,
      'missing-signature',
      `Webhooks must carry ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers`,
    );
  }
  if (!/^\d{1,12}$/.test(timestampHeader)) {
    throw new HttpError(401, 'invalid-signature', `${TIMESTAMP_HEADER} must be Unix time in seconds`);
  }
  const timestamp = Number(timestampHeader);
  const skewSeconds = Math.abs(input.now.getTime() / 1000 - timestamp);
  if (skewSeconds > input.toleranceSeconds) {
    throw new HttpError(
      401,
      'timestamp-out-of-window',
      `The signature's timestamp is ${Math.round(skewSeconds)} s from now; at most ${input.toleranceSeconds} s is accepted`,
    );
  }
  const candidates = signatureHeader
    .split(',')
    .map((part) => /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part)?.[1]?.toLowerCase())
    .filter((hex): hex is string => hex !== undefined);
  let matched: string | undefined;
  for (const secret of input.secrets) {
    const expected = Buffer.from(signWebhook(secret, timestamp, input.body).slice(3), 'hex');
    for (const candidate of candidates) {
      // Both sides are 32 bytes: timingSafeEqual never sees different lengths.
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched ??= candidate;
    }
  }
  if (!matched) throw new HttpError(401, 'invalid-signature', 'No signature matches this body and timestamp');
  const deliveryId = createHash('sha256').update(`${input.source}\n${timestamp}\n${matched}`).digest('hex');
  return { signedAt: new Date(timestamp * 1000), deliveryId };
}

/** A UUID (version 8, RFC 9562) derived from a delivery id: the same delivery, the same asset id. */
export function assetIdOfDelivery(deliveryId: string): string {
  const bytes = Buffer.from(deliveryId.slice(0, 32), 'hex');
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
