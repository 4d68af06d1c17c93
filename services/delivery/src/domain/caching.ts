/** Conditional requests and cache lifetimes. */

/** Strips the weak prefix: If-None-Match compares weakly (RFC 9110 13.1.2). */
function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** True when If-None-Match matches the entity tag: `*`, or one of its listed tags. */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string | undefined): boolean {
  if (!ifNoneMatch || !etag) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const target = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === target);
}

/** An S3-style entity tag (quoted MD5 hex) for bytes S3 did not tag for us. */
export function quoted(tag: string): string {
  return tag.startsWith('"') || tag.startsWith('W/"') ? tag : `"${tag}"`;
}

export interface CachePolicy {
  /** max-age of preset responses and of stored variants: one year by default. */
  maxAgeSeconds: number;
}

/** Presets: cacheable by anyone for maxAge; the asset id is new for every upload. */
export function presetCacheControl(policy: CachePolicy): string {
  return `public, max-age=${policy.maxAgeSeconds}, immutable`;
}

/** Signed URLs: never cached past their expiry, so a cache cannot outlive the signature. */
export function signedCacheControl(
  policy: CachePolicy,
  expiresAtSeconds: number,
  nowSeconds: number,
): string {
  const remaining = Math.max(0, Math.min(policy.maxAgeSeconds, expiresAtSeconds - nowSeconds));
  return `public, max-age=${remaining}`;
}

/**
 * Errors: refusals of a URL that can never work (unknown preset, bad parameters, not found) are
 * cacheable for a minute, which shields the function from repeats; the rest (signatures, archived
 * originals, failures) are not stored.
 */
export function errorCacheControl(code: string): string {
  return STABLE_ERRORS.has(code) ? 'public, max-age=60' : 'no-store';
}

const STABLE_ERRORS: ReadonlySet<string> = new Set([
  'not-found',
  'unknown-preset',
  'unknown-format',
  'invalid-parameter',
  'unknown-parameter',
]);
