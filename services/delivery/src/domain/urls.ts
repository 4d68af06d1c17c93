/**
 * Building delivery URLs: preset URLs as they are, ad-hoc URLs signed. Servers that hand out URLs
 * (the ingest API, a web app's backend) sign with the keyring's current key; the delivery function
 * accepts every key in the ring.
 */
import type { OutputFormat, RequestedFormat } from './formats';
import type { Fit } from './request';
import { rfc3986, type SigningKeyring, signature } from './signature';

export interface AdHocTransform {
  width?: number;
  height?: number;
  fit?: Fit;
  /** Default auto. */
  format?: RequestedFormat;
  quality?: number;
}

function trimmed(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** `${baseUrl}/v/{assetId}/{preset}.{format}`. */
export function presetUrl(
  baseUrl: string,
  assetId: string,
  preset: string,
  format: OutputFormat | 'auto' = 'auto',
): string {
  return `${trimmed(baseUrl)}/v/${assetId}/${preset}.${format}`;
}

/** A signed ad-hoc transform URL, valid until `expiresAt` (Unix seconds), signed with the current key. */
export function signedTransformUrl(
  baseUrl: string,
  assetId: string,
  transform: AdHocTransform,
  expiresAt: number,
  keyring: SigningKeyring,
): string {
  const key = keyring.keys.get(keyring.current);
  if (!key) throw new Error(`The keyring has no key "${keyring.current}"`);
  const path = `/v/${assetId}`;
  const params = new Map<string, string>();
  if (transform.width !== undefined) params.set('w', String(transform.width));
  if (transform.height !== undefined) params.set('h', String(transform.height));
  if (transform.fit !== undefined) params.set('fit', transform.fit);
  params.set('format', transform.format ?? 'auto');
  if (transform.quality !== undefined) params.set('q', String(transform.quality));
  params.set('exp', String(Math.floor(expiresAt)));
  params.set('kid', keyring.current);
  params.set('sig', signature(key, path, params));
  const query = [...params.entries()].map(([name, value]) => `${name}=${rfc3986(value)}`).join('&');
  return `${trimmed(baseUrl)}${path}?${query}`;
}
