import { randomBytes } from 'node:crypto';
import { DeliveryError } from '../src/domain/errors';
import { parseRoute } from '../src/domain/request';
import {
  canonicalQuery,
  KeyringError,
  parseKeyring,
  signature,
  stringToSign,
  verifySignature,
} from '../src/domain/signature';
import { signedTransformUrl } from '../src/domain/urls';
import { ASSET_ID, keyring } from './support';

const NOW = 1_772_323_200; // 2026-03-01T00:00:00Z
const LIMITS = { maxDimension: 4096 };

/** The route of a URL, as the function URL would pass it in. */
function routeOf(url: string) {
  const parsed = new URL(url);
  const route = parseRoute('GET', parsed.pathname, parsed.search.slice(1), LIMITS);
  if (route.kind !== 'transform') throw new Error('not a transform URL');
  return route;
}

function refusal(fn: () => void): { status: number; code: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeliveryError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('signed transform URLs', () => {
  const ring = keyring(['2026-01', '2026-02']);
  const url = signedTransformUrl(
    'https://img.example.com/',
    ASSET_ID,
    { width: 640, height: 480, fit: 'cover', format: 'webp', quality: 70 },
    NOW + 3600,
    ring,
  );

  it('signs with the current key and verifies', () => {
    expect(url).toMatch(
      new RegExp(
        `^https://img\\.example\\.com/v/${ASSET_ID}\\?w=640&h=480&fit=cover&format=webp&q=70&exp=${NOW + 3600}&kid=2026-02&sig=[A-Za-z0-9_-]{43}$`,
      ),
    );
    const route = routeOf(url);
    expect(() => verifySignature(ring, route.path, route.params, NOW)).not.toThrow();
    expect(route.transform).toEqual({ width: 640, height: 480, fit: 'cover', format: 'webp', quality: 70 });
  });

  it('does not depend on the order of the query parameters', () => {
    const parsed = new URL(url);
    const reversed = [...parsed.searchParams.entries()].reverse();
    const route = routeOf(`${parsed.origin}${parsed.pathname}?${new URLSearchParams(reversed)}`);
    expect(() => verifySignature(ring, route.path, route.params, NOW)).not.toThrow();
  });

  it('keeps accepting URLs signed with a previous key still in the ring (rotation)', () => {
    const before = parseKeyring({
      current: '2026-01',
      keys: { '2026-01': ring.keys.get('2026-01')?.toString('base64url') },
    });
    const old = routeOf(signedTransformUrl('https://x', ASSET_ID, { width: 100 }, NOW + 60, before));
    expect(old.params.get('kid')).toBe('2026-01');
    expect(() => verifySignature(ring, old.path, old.params, NOW)).not.toThrow();
  });

  it('refuses a changed parameter, a forged signature, another asset and a retired key', () => {
    const tampered = routeOf(url.replace('w=640', 'w=4000'));
    expect(refusal(() => verifySignature(ring, tampered.path, tampered.params, NOW))).toEqual({
      status: 403,
      code: 'invalid-signature',
    });

    const forged = routeOf(url.replace(/sig=[^&]+/, `sig=${randomBytes(32).toString('base64url')}`));
    expect(refusal(() => verifySignature(ring, forged.path, forged.params, NOW)).code).toBe(
      'invalid-signature',
    );

    const short = routeOf(url.replace(/sig=[^&]+/, 'sig=abc'));
    expect(refusal(() => verifySignature(ring, short.path, short.params, NOW)).code).toBe(
      'invalid-signature',
    );

    const otherAsset = routeOf(url.replace(ASSET_ID, '00000000-0000-4000-8000-000000000000'));
    expect(refusal(() => verifySignature(ring, otherAsset.path, otherAsset.params, NOW)).code).toBe(
      'invalid-signature',
    );

    const retired = keyring(['2026-03']);
    const route = routeOf(url);
    expect(refusal(() => verifySignature(retired, route.path, route.params, NOW))).toEqual({
      status: 403,
      code: 'unknown-key',
    });
  });

  it('refuses an expired URL once its signature holds, and a forged expiry as forged', () => {
    const route = routeOf(url);
    expect(refusal(() => verifySignature(ring, route.path, route.params, NOW + 3600))).toEqual({
      status: 403,
      code: 'url-expired',
    });
    const extended = routeOf(url.replace(`exp=${NOW + 3600}`, `exp=${NOW + 999_999}`));
    expect(refusal(() => verifySignature(ring, extended.path, extended.params, NOW + 3600)).code).toBe(
      'invalid-signature',
    );
  });

  it('refuses an unsigned ad-hoc request, and any when no keys are configured', () => {
    const unsigned = routeOf(`https://x/v/${ASSET_ID}?w=100&format=webp`);
    expect(refusal(() => verifySignature(ring, unsigned.path, unsigned.params, NOW))).toEqual({
      status: 403,
      code: 'signature-required',
    });
    const route = routeOf(url);
    expect(refusal(() => verifySignature(null, route.path, route.params, NOW)).code).toBe('signing-disabled');
  });

  it('signs a canonical string: scheme, path, sorted encoded parameters without sig', () => {
    const params = new Map([
      ['w', '1'],
      ['format', 'auto'],
      ['sig', 'ignored'],
      ['kid', 'a b'],
    ]);
    expect(canonicalQuery(params)).toBe('format=auto&kid=a%20b&w=1');
    expect(stringToSign('/v/x', params)).toBe('SLUICE-HMAC-SHA256\n/v/x\nformat=auto&kid=a%20b&w=1');
    // HMAC-SHA256 of that string with key "Jefe", computed independently with
    // openssl dgst -sha256 -hmac Jefe -binary | base64url: signers in other languages must match it.
    expect(signature(Buffer.from('Jefe'), '/v/x', params)).toBe(
      'kQvEIGigccK2Yk6xOk8XAmmw-L6Uh1WFSfjGEDNWjfc',
    );
  });
});

describe('signing keyrings (delivery-signing-keys/v1)', () => {
  it('refuses short keys, a current key that is not in the ring, and malformed documents', () => {
    expect(() => parseKeyring({ current: 'k1', keys: { k1: 'c2hvcnQ' } })).toThrow(KeyringError);
    expect(() =>
      parseKeyring({ current: 'k2', keys: { k1: randomBytes(32).toString('base64url') } }),
    ).toThrow(/current key "k2" is not among the keys/);
    expect(() => parseKeyring({ keys: {} })).toThrow(/current is required/);
    // 43 characters of base64 that decode to fewer than 32 bytes (padding inside) are refused too.
    expect(() => parseKeyring({ current: 'k1', keys: { k1: `${'A'.repeat(40)}===` } })).toThrow(KeyringError);
  });

  it('accepts base64 and base64url keys', () => {
    const key = randomBytes(32);
    const ring = parseKeyring({
      current: 'a',
      keys: { a: key.toString('base64'), b: key.toString('base64url') },
    });
    expect(ring.keys.get('a')?.equals(key)).toBe(true);
    expect(ring.keys.get('b')?.equals(key)).toBe(true);
  });
});
