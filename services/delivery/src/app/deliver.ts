import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AssetManifest } from '@sluice/contracts';
import type { RenditionPreset } from '@sluice/processor/presets';
import { type Logger, logPipelineStep } from '@sluice/runtime';
import {
  type CachePolicy,
  errorCacheControl,
  ifNoneMatchMatches,
  presetCacheControl,
  quoted,
  signedCacheControl,
} from '../domain/caching';
import { DeliveryError, notFound } from '../domain/errors';
import { negotiateFormat, type OutputFormat, type RequestedFormat } from '../domain/formats';
import { type DeliveryRoute, parseRoute, type RouteLimits } from '../domain/request';
import { verifySignature } from '../domain/signature';
import { presetFormats, presetSpec, renditionKey, transformSpec, variantKey } from '../domain/variants';
import type { AssetCatalog } from '../ports/asset-catalog';
import {
  type ImageTransformer,
  type TransformSpec,
  UnprocessableImageError,
} from '../ports/image-transformer';
import { type OriginalSource, OriginalUnavailableError } from '../ports/originals';
import type { SigningKeySource } from '../ports/signing-keys';
import type { VariantStore } from '../ports/variant-store';

/** A function URL request, reduced to what delivery reads. */
export interface DeliveryRequest {
  method: string;
  path: string;
  rawQuery: string;
  accept?: string;
  ifNoneMatch?: string;
}

export interface DeliveryResponse {
  status: number;
  headers: Record<string, string>;
  /** Absent for HEAD, 304 and errors answered without a body. */
  body?: Buffer | Readable;
  /**
   * Work to finish before the response ends (storing a rendered variant): the body streams out
   * meanwhile, and the invocation ends only after it. Never rejects.
   */
  pending?: Promise<void>;
}

export interface DeliverDeps {
  presets: ReadonlyMap<string, RenditionPreset>;
  variants: VariantStore;
  catalog: AssetCatalog;
  originals: OriginalSource;
  transformer: ImageTransformer;
  signingKeys: SigningKeySource;
  cache: CachePolicy;
  limits: RouteLimits;
  logger: Logger;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

/** User metadata on every variant this service stores (the processor's name for the same fact). */
export const SEQUENCER_METADATA = 'source-sequencer';
export const SOURCE_SHA256_METADATA = 'source-sha256';

/** What one request resolved to before any storage access. */
interface Resolved {
  assetId: string;
  key: string;
  spec: TransformSpec;
  cacheControl: string;
  /** format=auto: the answer depends on Accept. */
  negotiated: boolean;
}

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff' };

function errorResponse(error: DeliveryError, head: boolean): DeliveryResponse {
  const body = Buffer.from(JSON.stringify({ error: { code: error.code, message: error.message } }));
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'cache-control': errorCacheControl(error.code),
      ...COMMON_HEADERS,
      ...error.headers,
    },
    body: head ? undefined : body,
  };
}

function resolve(
  route: DeliveryRoute,
  request: DeliveryRequest,
  deps: DeliverDeps,
  nowSeconds: number,
): Resolved {
  if (route.kind === 'preset') {
    const preset = deps.presets.get(route.preset);
    if (!preset) {
      throw notFound(
        'unknown-preset',
        `Unknown preset "${route.preset}"; presets: ${[...deps.presets.keys()].join(', ')}`,
      );
    }
    const formats = presetFormats(preset);
    const format = pick(route.format, request.accept, formats);
    const spec = presetSpec(preset, format);
    if (!spec) {
      throw notFound(
        'unknown-format',
        `Preset "${preset.name}" is made in ${formats.join(', ')} (or auto), not ${format}`,
      );
    }
    return {
      assetId: route.assetId,
      key: renditionKey(route.assetId, preset.name, format),
      spec,
      cacheControl: presetCacheControl(deps.cache),
      negotiated: route.format === 'auto',
    };
  }
  const format = pick(route.transform.format, request.accept);
  const spec = transformSpec(route.transform, format);
  return {
    assetId: route.assetId,
    key: variantKey(route.assetId, spec),
    spec,
    cacheControl: signedCacheControl(deps.cache, Number(route.params.get('exp')), nowSeconds),
    negotiated: route.transform.format === 'auto',
  };
}

function pick(
  requested: RequestedFormat,
  accept: string | undefined,
  available?: OutputFormat[],
): OutputFormat {
  return requested === 'auto' ? negotiateFormat(accept, available) : requested;
}

function restoreAdvice(assetId: string, error: OriginalUnavailableError): DeliveryError {
  const where = error.location ? `s3://${error.location.bucket}/${error.location.key}` : 'the archive bucket';
  if (error.reason === 'restoring') {
    return new DeliveryError(
      409,
      'original-restoring',
      `The original of asset ${assetId} is being restored from cold storage (${where}); this URL works once the restore completes`,
      { 'retry-after': '900' },
    );
  }
  return new DeliveryError(
    409,
    'original-archived',
    `The original of asset ${assetId} is archived in ${error.location?.storageClass ?? 'a cold storage class'} ` +
      `(${where}) and cannot be transformed on the fly. Restore it first: sluice-ops restore ${assetId} ` +
      `[--tier Expedited|Standard|Bulk] [--days N] (S3 RestoreObject), then request this URL again once the ` +
      'restore has completed (minutes to hours, by tier). Stored variants keep being served meanwhile.',
  );
}

function originalError(assetId: string, error: OriginalUnavailableError): DeliveryError {
  switch (error.reason) {
    case 'archived':
    case 'restoring':
      return restoreAdvice(assetId, error);
    case 'changed':
      return new DeliveryError(
        503,
        'original-changed',
        `The original of asset ${assetId} was replaced and is being processed again; retry shortly`,
        { 'retry-after': '5' },
      );
    case 'too-large':
      return new DeliveryError(422, 'original-too-large', error.message);
    case 'missing':
      return new DeliveryError(404, 'original-not-found', `The original of asset ${assetId} is gone`);
  }
}

function checkImage(assetId: string, manifest: AssetManifest): void {
  if (manifest.detected.kind !== 'image' || !manifest.image) {
    throw notFound(
      'not-an-image',
      `Asset ${assetId} is ${manifest.detected.mime}, not an image: it has no image variants`,
    );
  }
}

/**
 * Serves one delivery URL: refuses what it must before any image work, serves a stored variant as
 * is, and otherwise renders it from the original (ingest bucket, else archive), stores it under its
 * deterministic key (create-only) and answers with it. Never throws: every outcome is a response.
 */
export async function deliver(request: DeliveryRequest, deps: DeliverDeps): Promise<DeliveryResponse> {
  const started = performance.now();
  const now = (deps.now ?? Date.now)();
  const head = request.method === 'HEAD';
  let assetId = 'unknown';
  const log = (outcome: 'succeeded' | 'rejected' | 'failed', fields: Record<string, unknown>) =>
    logPipelineStep(deps.logger, outcome === 'succeeded' ? 'Variant delivered' : 'Variant not delivered', {
      assetId,
      stage: 'delivery',
      outcome,
      durationMs: performance.now() - started,
      path: request.path,
      ...fields,
    });

  try {
    const route = parseRoute(request.method, request.path, request.rawQuery, deps.limits);
    assetId = route.assetId;
    if (route.kind === 'transform') {
      // Unsigned requests are refused without even reading the keys.
      const keyring = route.params.has('sig') ? await deps.signingKeys.keyring() : null;
      verifySignature(keyring, route.path, route.params, Math.floor(now / 1000));
    }
    const resolved = resolve(route, request, deps, Math.floor(now / 1000));
    const headers = (etag: string, contentType?: string): Record<string, string> => ({
      ...(contentType ? { 'content-type': contentType } : {}),
      etag,
      'cache-control': resolved.cacheControl,
      ...(resolved.negotiated ? { vary: 'Accept' } : {}),
      ...COMMON_HEADERS,
    });

    const stored = await deps.variants.open(resolved.key, { head, ifNoneMatch: request.ifNoneMatch });
    if (stored && 'notModified' in stored) {
      log('succeeded', { source: 'stored', key: resolved.key, status: 304 });
      return { status: 304, headers: headers(stored.eTag) };
    }
    if (stored) {
      log('succeeded', { source: 'stored', key: resolved.key, status: 200, bytes: stored.contentLength });
      return {
        status: 200,
        headers: { ...headers(stored.eTag, stored.contentType), 'x-sluice-variant': 'stored' },
        body: stored.body,
      };
    }

    // A miss: render from the original.
    const manifest = await deps.catalog.manifest(assetId);
    if (!manifest) {
      throw notFound('asset-not-found', `No asset ${assetId}, or it has not been processed yet`);
    }
    checkImage(assetId, manifest);
    const original = await deps.originals.read(manifest);
    const rendered = await deps.transformer.transform(original.bytes, resolved.spec);
    // The response goes out while the variant is stored: S3 tags a single PUT with the MD5 of its
    // bytes (SSE-S3), so this ETag is the one the stored copy answers with.
    const etag = quoted(createHash('md5').update(rendered.data).digest('hex'));
    const facts = {
      source: 'rendered',
      from: original.from,
      key: resolved.key,
      bytes: rendered.data.length,
      width: rendered.width,
      height: rendered.height,
    };
    const pending = deps.variants
      .putIfAbsent({
        key: resolved.key,
        body: rendered.data,
        contentType: rendered.contentType,
        // What CloudFront sends when it serves the object straight from the bucket (renditions).
        cacheControl: presetCacheControl(deps.cache),
        metadata: {
          [SEQUENCER_METADATA]: manifest.source.sequencer,
          [SOURCE_SHA256_METADATA]: manifest.sha256,
        },
      })
      .then(
        // null: another writer (a concurrent request, the processor) stored it first; ours is as good.
        (written) => log('succeeded', { ...facts, status: 200, stored: written !== null }),
        // Served all the same; the next miss renders it again.
        (error: unknown) => log('failed', { ...facts, status: 200, stored: false, error }),
      );
    if (ifNoneMatchMatches(request.ifNoneMatch, etag))
      return { status: 304, headers: headers(etag), pending };
    return {
      status: 200,
      headers: { ...headers(etag, rendered.contentType), 'x-sluice-variant': 'rendered' },
      body: head ? undefined : rendered.data,
      pending,
    };
  } catch (error) {
    let refusal: DeliveryError;
    if (error instanceof DeliveryError) refusal = error;
    else if (error instanceof OriginalUnavailableError) refusal = originalError(assetId, error);
    else if (error instanceof UnprocessableImageError) {
      refusal = new DeliveryError(
        422,
        'unprocessable-image',
        `Asset ${assetId} could not be transformed: ${error.message}`,
      );
    } else {
      log('failed', { error });
      return errorResponse(
        new DeliveryError(500, 'internal-error', 'The variant could not be delivered'),
        head,
      );
    }
    // `reason` is the stable code dashboards group by; the sentence goes with it as `detail`.
    log('rejected', { status: refusal.status, reason: refusal.code, detail: refusal.message });
    return errorResponse(refusal, head);
  }
}
