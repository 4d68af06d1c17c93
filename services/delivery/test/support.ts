import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { AssetManifest } from '@sluice/contracts';
import { DEFAULT_PRESETS } from '@sluice/processor/presets';
import { createLogger } from '@sluice/runtime';
import type { DeliverDeps } from '../src/app/deliver';
import { ifNoneMatchMatches } from '../src/domain/caching';
import { parseKeyring, type SigningKeyring } from '../src/domain/signature';
import type { AssetCatalog } from '../src/ports/asset-catalog';
import type { ImageTransformer, TransformedImage, TransformSpec } from '../src/ports/image-transformer';
import { type OriginalSource, OriginalUnavailableError } from '../src/ports/originals';
import type { NewVariant, StoredVariant, VariantStore } from '../src/ports/variant-store';

export const FIXTURES = resolve(__dirname, '../../../../shared/fixtures');
export const fixture = (path: string): Buffer => readFileSync(resolve(FIXTURES, path));

export const ASSET_ID = '3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10';
export const logger = createLogger('delivery-test');

export function keyring(ids: string[] = ['k1'], current = ids[ids.length - 1] as string): SigningKeyring {
  return parseKeyring({
    current,
    keys: Object.fromEntries(ids.map((id) => [id, randomBytes(32).toString('base64url')])),
  });
}

export function manifest(overrides: Partial<AssetManifest> = {}): AssetManifest {
  return {
    assetId: ASSET_ID,
    tenantId: 'tenant-acme',
    source: {
      bucket: 'ingest',
      key: `uploads/tenant-acme/${ASSET_ID}/photo.jpg`,
      size: 1000,
      eTag: 'ce097afe81f3c399861c0807a3d548eb',
      sequencer: '006750B7A3123F4A1B',
      fileName: 'photo.jpg',
    },
    sha256: 'a'.repeat(64),
    detected: { mime: 'image/jpeg', kind: 'image', ext: 'jpg', mismatch: false },
    renditions: [],
    processedAt: '2026-01-01T00:00:00Z',
    processorVersion: 'test',
    image: {
      width: 1800,
      height: 1200,
      format: 'jpeg',
      frames: 1,
      colorSpace: 'srgb',
      hasAlpha: false,
      orientation: 1,
      animated: false,
    },
    ...overrides,
  };
}

const md5 = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

/** The processed bucket's variants in memory, with every call recorded. */
export class InMemoryVariants implements VariantStore {
  readonly objects = new Map<
    string,
    { body: Buffer; contentType: string; metadata: Record<string, string>; cacheControl: string }
  >();
  readonly calls: string[] = [];

  seed(key: string, body: Buffer, contentType: string): void {
    this.objects.set(key, {
      body,
      contentType,
      metadata: {},
      cacheControl: 'public, max-age=31536000, immutable',
    });
  }

  async open(key: string, options: { head: boolean; ifNoneMatch?: string }) {
    this.calls.push(`open ${key}`);
    const object = this.objects.get(key);
    if (!object) return null;
    const eTag = md5(object.body);
    if (ifNoneMatchMatches(options.ifNoneMatch, eTag)) return { notModified: true as const, eTag };
    const variant: StoredVariant = {
      eTag,
      contentType: object.contentType,
      contentLength: object.body.length,
      ...(options.head ? {} : { body: Readable.from([object.body]) }),
    };
    return variant;
  }

  async putIfAbsent(variant: NewVariant) {
    this.calls.push(`put ${variant.key}`);
    if (this.objects.has(variant.key)) return null;
    this.objects.set(variant.key, {
      body: variant.body,
      contentType: variant.contentType,
      metadata: variant.metadata,
      cacheControl: variant.cacheControl,
    });
    return { eTag: md5(variant.body) };
  }
}

export class InMemoryCatalog implements AssetCatalog {
  readonly manifests = new Map<string, AssetManifest>();
  readonly calls: string[] = [];

  async manifest(assetId: string) {
    this.calls.push(assetId);
    return this.manifests.get(assetId) ?? null;
  }
}

/** Originals by asset id; an error to throw instead, per asset. */
export class InMemoryOriginals implements OriginalSource {
  readonly bytes = new Map<string, Buffer>();
  readonly failures = new Map<string, OriginalUnavailableError>();
  readonly calls: string[] = [];

  async read(m: AssetManifest) {
    this.calls.push(m.assetId);
    const failure = this.failures.get(m.assetId);
    if (failure) throw failure;
    const bytes = this.bytes.get(m.assetId);
    if (!bytes) throw new OriginalUnavailableError('missing', 'gone');
    return { bytes, from: 'ingest' as const };
  }
}

/** Records specs; answers with bytes naming the spec (no sharp), or throws `failWith`. */
export class RecordingTransformer implements ImageTransformer {
  readonly specs: TransformSpec[] = [];
  failWith: Error | undefined;
  outputBytes = 100;

  async transform(_input: Buffer, spec: TransformSpec): Promise<TransformedImage> {
    this.specs.push(spec);
    if (this.failWith) throw this.failWith;
    const data = Buffer.alloc(this.outputBytes, JSON.stringify(spec));
    return {
      data,
      format: spec.format,
      contentType: `image/${spec.format}`,
      width: spec.width ?? 1,
      height: spec.height ?? 1,
      frames: 1,
    };
  }
}

export function fakeDeps(overrides: Partial<DeliverDeps> = {}) {
  const variants = new InMemoryVariants();
  const catalog = new InMemoryCatalog();
  const originals = new InMemoryOriginals();
  const transformer = new RecordingTransformer();
  const ring = keyring(['k1']);
  const deps: DeliverDeps = {
    presets: new Map(DEFAULT_PRESETS.map((p) => [p.name, p])),
    variants,
    catalog,
    originals,
    transformer,
    signingKeys: { keyring: async () => ring },
    cache: { maxAgeSeconds: 31_536_000 },
    limits: { maxDimension: 4096 },
    logger,
    now: () => Date.parse('2026-03-01T00:00:00Z'),
    ...overrides,
  };
  return { deps, variants, catalog, originals, transformer, ring };
}

export async function bodyOf(body: Buffer | Readable | undefined): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
