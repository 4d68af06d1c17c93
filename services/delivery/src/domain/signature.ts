/**
 * Signed URLs for ad-hoc transforms: HMAC-SHA256 over the path and every query parameter but `sig`
 * (sorted, RFC 3986 encoded), keyed by the key the URL names in `kid`, valid until `exp` (Unix
 * seconds). Several keys are valid at once so keys rotate without breaking links; comparisons are
 * constant-time. The keyring document is delivery-signing-keys/v1.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { validate } from '@sluice/contracts';
import { forbidden } from './errors';

export const SIGNATURE_SCHEME = 'SLUICE-HMAC-SHA256';
/** base64url of a SHA-256 HMAC, unpadded. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const MIN_KEY_BYTES = 32;

export interface SigningKeyring {
  /** The key id new URLs are signed with. */
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A keyring that failed delivery-signing-keys/v1 or names a key that is not there. */
export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

function decodeKey(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Parses and checks a delivery-signing-keys/v1 document. */
export function parseKeyring(doc: unknown): SigningKeyring {
  const result = validate('delivery-signing-keys/v1', doc);
  if (!result.ok) throw new KeyringError(`Invalid signing keys: ${result.errors.join('; ')}`);
  const keys = new Map<string, Buffer>();
  for (const [id, text] of Object.entries(result.value.keys)) {
    const key = decodeKey(text);
    if (key.length < MIN_KEY_BYTES) {
      throw new KeyringError(`Invalid signing keys: key "${id}" has ${key.length} bytes, at least 32 needed`);
    }
    keys.set(id, key);
  }
  if (!keys.has(result.value.current)) {
    throw new KeyringError(
      `Invalid signing keys: current key "${result.value.current}" is not among the keys`,
    );
  }
  return { current: result.value.current, keys };
}

/** encodeURIComponent, plus the characters RFC 3986 reserves that it leaves alone. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Every parameter but `sig`, sorted by name, encoded: the signed part of the query. */
export function canonicalQuery(params: ReadonlyMap<string, string>): string {
  return [...params.entries()]
    .filter(([name]) => name !== 'sig')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&');
}

export function stringToSign(path: string, params: ReadonlyMap<string, string>): string {
  return `${SIGNATURE_SCHEME}\n${path}\n${canonicalQuery(params)}`;
}

export function signature(key: Buffer, path: string, params: ReadonlyMap<string, string>): string {
  return createHmac('sha256', key).update(stringToSign(path, params)).digest('base64url');
}

/**
 * Checks a signed request: a known key, a matching signature (constant-time), not expired. Throws a
 * 403 DeliveryError saying which; an expired URL is only reported as such once its signature holds.
 */
export function verifySignature(
  keyring: SigningKeyring | null,
  path: string,
  params: ReadonlyMap<string, string>,
  nowSeconds: number,
): void {
  const sig = params.get('sig');
  const kid = params.get('kid');
  const exp = params.get('exp');
  if (sig === undefined || kid === undefined || exp === undefined) {
    throw forbidden(
      'signature-required',
      'Ad-hoc transforms need a signed URL (exp, kid and sig parameters); use a preset URL /v/{assetId}/{preset}.{format} otherwise',
    );
  }
  if (!keyring) {
    throw forbidden('signing-disabled', 'Signed transforms are not configured on this deployment');
  }
  const key = keyring.keys.get(kid);
  if (!key) throw forbidden('unknown-key', `Unknown signing key "${kid}" (retired, or never issued)`);
  if (!SIGNATURE.test(sig)) throw forbidden('invalid-signature', 'The signature does not match the URL');
  const expected = Buffer.from(signature(key, path, params), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw forbidden('invalid-signature', 'The signature does not match the URL');
  }
  const expires = Number(exp);
  if (!Number.isSafeInteger(expires) || expires < 0) {
    throw forbidden('invalid-signature', 'exp must be a time in Unix seconds');
  }
  if (expires <= nowSeconds) {
    throw forbidden('url-expired', `The URL expired at ${new Date(expires * 1000).toISOString()}`);
  }
}
