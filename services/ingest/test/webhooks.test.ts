import { validate } from '@sluice/contracts';
import { ConfigError, isAssetId, parseUploadKey } from '@sluice/runtime';
import { type ReceiveWebhookDeps, receiveWebhook } from '../src/app/receive-webhook';
import { HttpError } from '../src/domain/http-error';
import {
  assetIdOfDelivery,
  parseWebhookSources,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '../src/domain/webhook-signature';
import type { WebhookInbox, WebhookReceipt } from '../src/ports/webhook-inbox';

const SECRET = 'whsec_0123456789abcdef';
const NEW_SECRET = 'whsec_fedcba9876543210';
const NOW = new Date('2026-01-01T12:00:00.000Z');
const T = NOW.getTime() / 1000;
const body = Buffer.from('{"event":"order.paid","id":"ord_1"}');

function headers(timestamp: number, signature: string) {
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signature,
    'content-type': 'application/json',
  };
}

function refusal(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected a refusal');
}

describe('webhook signatures (HMAC-SHA256 over timestamp.body)', () => {
  const verify = (h: Record<string, string | undefined>, b = body, secrets = [SECRET]) =>
    verifyWebhook({ source: 'shop', headers: h, body: b, secrets, now: NOW, toleranceSeconds: 300 });

  it('accepts a signature made with the source secret, within the window', () => {
    const verified = verify(headers(T - 299, signWebhook(SECRET, T - 299, body)));
    expect(verified.signedAt.toISOString()).toBe('2026-01-01T11:55:01.000Z');
    expect(verified.deliveryId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same delivery the same id and asset id, and another delivery others', () => {
    const a = verify(headers(T, signWebhook(SECRET, T, body)));
    const again = verify(headers(T, signWebhook(SECRET, T, body)));
    const later = verify(headers(T + 1, signWebhook(SECRET, T + 1, body)));
    expect(again.deliveryId).toBe(a.deliveryId);
    expect(later.deliveryId).not.toBe(a.deliveryId);
    expect(isAssetId(assetIdOfDelivery(a.deliveryId))).toBe(true);
    expect(assetIdOfDelivery(a.deliveryId)).toBe(assetIdOfDelivery(again.deliveryId));
    expect(assetIdOfDelivery(a.deliveryId)[14]).toBe('8'); // RFC 9562 version 8
  });

  it('accepts any of the current secrets, and any of several signatures (rotation)', () => {
    const both = `${signWebhook('some-other-secret-entirely', T, body)},${signWebhook(NEW_SECRET, T, body)}`;
    expect(() => verify(headers(T, both), body, [NEW_SECRET, SECRET])).not.toThrow();
    expect(() => verify(headers(T, signWebhook(SECRET, T, body)), body, [NEW_SECRET, SECRET])).not.toThrow();
  });

  it.each([
    [
      'a forged signature (wrong secret)',
      () => headers(T, signWebhook('not-the-real-secret!', T, body)),
      'invalid-signature',
    ],
    [
      'a tampered body',
      () => headers(T, signWebhook(SECRET, T, Buffer.from('{"event":"other"}'))),
      'invalid-signature',
    ],
    [
      'a timestamp other than the one signed',
      () => headers(T + 1, signWebhook(SECRET, T, body)),
      'invalid-signature',
    ],
    [
      'an old replay (outside the window)',
      () => headers(T - 301, signWebhook(SECRET, T - 301, body)),
      'timestamp-out-of-window',
    ],
    [
      'a timestamp from the future',
      () => headers(T + 301, signWebhook(SECRET, T + 301, body)),
      'timestamp-out-of-window',
    ],
    ['no signature', () => ({ [TIMESTAMP_HEADER]: String(T) }), 'missing-signature'],
    ['no timestamp', () => ({ [SIGNATURE_HEADER]: signWebhook(SECRET, T, body) }), 'missing-signature'],
    [
      'a timestamp in milliseconds',
      () => headers(T * 1000, signWebhook(SECRET, T * 1000, body)),
      'invalid-signature',
    ],
    ['a malformed signature', () => headers(T, 'sha256=abc'), 'invalid-signature'],
    [
      'a truncated signature',
      () => headers(T, signWebhook(SECRET, T, body).slice(0, 40)),
      'invalid-signature',
    ],
  ])('refuses %s with 401', (_what, make, code) => {
    expect(refusal(() => verify(make()))).toMatchObject({ statusCode: 401, code });
  });

  it('reads per-source secrets from config and refuses bad config clearly', () => {
    expect(parseWebhookSources(`{"shop":{"tenantId":"acme","secrets":["${SECRET}"]}}`)).toEqual({
      shop: { tenantId: 'acme', secrets: [SECRET] },
    });
    expect(() => parseWebhookSources('{')).toThrow(ConfigError);
    expect(() => parseWebhookSources('{"Shop":{"tenantId":"acme","secrets":["0123456789abcdef"]}}')).toThrow(
      /source names/,
    );
    expect(() => parseWebhookSources('{"shop":{"tenantId":"ACME","secrets":["0123456789abcdef"]}}')).toThrow(
      /tenantId/,
    );
    expect(() => parseWebhookSources('{"shop":{"tenantId":"acme","secrets":["short"]}}')).toThrow(
      /at least 16/,
    );
  });
});

class FakeInbox implements WebhookInbox {
  readonly receipts = new Map<string, WebhookReceipt>();
  readonly stored = new Map<string, { envelope: string; metadata: Record<string, string> }>();
  failStore = false;

  async claim(receipt: WebhookReceipt): Promise<boolean> {
    if (this.receipts.has(receipt.deliveryId)) return false;
    this.receipts.set(receipt.deliveryId, receipt);
    return true;
  }
  async release(receipt: WebhookReceipt): Promise<void> {
    this.receipts.delete(receipt.deliveryId);
  }
  async store(key: string, envelope: string, metadata: Record<string, string>): Promise<void> {
    if (this.failStore) throw new Error('S3 unavailable');
    this.stored.set(key, { envelope, metadata });
  }
}

describe('POST /webhooks/{source} (receiveWebhook)', () => {
  function setup() {
    const inbox = new FakeInbox();
    const deps: ReceiveWebhookDeps = {
      inbox,
      sources: { shop: { tenantId: 'acme', secrets: [SECRET] } },
      toleranceSeconds: 300,
      maxBytes: 1024,
      now: () => NOW,
    };
    return { inbox, deps };
  }
  const signed = (b: Buffer, source = 'shop') => ({
    source,
    headers: headers(T, signWebhook(SECRET, T, b)),
    body: b,
  });

  it('stores a verified delivery as a webhook envelope under the source tenant uploads/', async () => {
    const { inbox, deps } = setup();
    const receipt = await receiveWebhook(signed(body), deps);
    expect(validate('webhook-receipt/v1', receipt).ok).toBe(true);
    expect(parseUploadKey(receipt.key)).toEqual({
      tenantId: 'acme',
      assetId: receipt.assetId,
      fileName: 'webhook-shop.json',
    });
    const stored = inbox.stored.get(receipt.key);
    const envelope = JSON.parse(stored?.envelope ?? '{}');
    expect(validate('webhook-envelope/v1', envelope).ok).toBe(true);
    expect(envelope).toMatchObject({
      source: 'shop',
      tenantId: 'acme',
      encoding: 'utf8',
      payload: body.toString(),
      size: body.length,
      signedAt: NOW.toISOString(),
    });
    expect(stored?.metadata).toEqual({ 'webhook-source': 'shop', 'delivery-id': receipt.deliveryId });
  });

  it('keeps a binary body byte for byte, as base64', async () => {
    const { inbox, deps } = setup();
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
    const receipt = await receiveWebhook(signed(bytes), deps);
    const envelope = JSON.parse(inbox.stored.get(receipt.key)?.envelope ?? '{}');
    expect(envelope.encoding).toBe('base64');
    expect(Buffer.from(envelope.payload, 'base64')).toEqual(bytes);
  });

  it('refuses a replay of an accepted delivery with 409, and stores nothing more', async () => {
    const { inbox, deps } = setup();
    await receiveWebhook(signed(body), deps);
    const error = await receiveWebhook(signed(body), deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 409, code: 'webhook-replayed' });
    expect(inbox.stored.size).toBe(1);
  });

  it('releases the delivery when the payload cannot be stored, so the sender retry is accepted', async () => {
    const { inbox, deps } = setup();
    inbox.failStore = true;
    await expect(receiveWebhook(signed(body), deps)).rejects.toThrow('S3 unavailable');
    expect(inbox.receipts.size).toBe(0);
    inbox.failStore = false;
    await expect(receiveWebhook(signed(body), deps)).resolves.toMatchObject({ key: expect.any(String) });
  });

  it.each([
    ['an unknown source', () => signed(body, 'nobody'), 404, 'unknown-source'],
    ['a source name outside the pattern', () => signed(body, '../shop'), 404, 'unknown-source'],
    ['an empty body', () => signed(Buffer.alloc(0)), 400, 'empty-body'],
    ['a body over the limit', () => signed(Buffer.alloc(1025, 0x61)), 413, 'payload-too-large'],
  ])('refuses %s', async (_what, request, status, code) => {
    const { inbox, deps } = setup();
    await expect(receiveWebhook(request(), deps)).rejects.toMatchObject({ statusCode: status, code });
    expect(inbox.stored.size).toBe(0);
  });
});
