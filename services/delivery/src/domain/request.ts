/**
 * The delivery URLs, parsed and checked before any image work:
 *
 *   GET|HEAD /v/{assetId}/{preset}.{format}            a preset (format: webp, jpeg, avif, png or auto)
 *   GET|HEAD /renditions/{assetId}/{preset}.{format}   the same, as CloudFront forwards it after mapping
 *                                                      the viewer path to the stored key
 *   GET|HEAD /v/{assetId}?w=&h=&fit=&format=&q=&exp=&kid=&sig=
 *                                                      an ad-hoc transform, signed (see signature.ts)
 */
import { badRequest, DeliveryError, notFound } from './errors';
import { isOutputFormat, type RequestedFormat } from './formats';

export const FITS = ['inside', 'cover', 'contain', 'fill', 'outside'] as const;
export type Fit = (typeof FITS)[number];

const ASSET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PRESET_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const PRESET_PATH = /^\/(v|renditions)\/([^/]+)\/([^/]+)\.([^./]+)$/;
const TRANSFORM_PATH = /^\/v\/([^/]+)\/?$/;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const DECIMAL = /^[0-9]{1,10}$/;

/** The parameters an ad-hoc URL may carry; anything else is refused (no cache-busting keys). */
export const TRANSFORM_PARAMETERS = ['w', 'h', 'fit', 'format', 'q', 'exp', 'kid', 'sig'] as const;

export interface TransformParams {
  width?: number;
  height?: number;
  fit: Fit;
  format: RequestedFormat;
  quality?: number;
}

export interface PresetRoute {
  kind: 'preset';
  assetId: string;
  preset: string;
  format: RequestedFormat;
}

export interface TransformRoute {
  kind: 'transform';
  assetId: string;
  /** The path as signed. */
  path: string;
  /** Every query parameter, decoded (the signature covers them all but sig). */
  params: ReadonlyMap<string, string>;
  transform: TransformParams;
}

export type DeliveryRoute = PresetRoute | TransformRoute;

export interface RouteLimits {
  /** Largest width or height an ad-hoc transform may ask for. */
  maxDimension: number;
}

export function isAssetId(value: string): boolean {
  return ASSET_ID.test(value);
}

function requestedFormat(value: string, where: string): RequestedFormat {
  if (value === 'auto' || isOutputFormat(value)) return value;
  throw notFound('unknown-format', `${where}: format "${value}" is not one of webp, jpeg, avif, png, auto`);
}

function checkAssetId(value: string): string {
  if (!isAssetId(value)) throw notFound('not-found', `"${value}" is not an asset id (a lowercase UUID)`);
  return value;
}

function integer(
  params: ReadonlyMap<string, string>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!DECIMAL.test(raw) || value < min || value > max) {
    throw badRequest('invalid-parameter', `${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function queryParams(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    if (params.has(name)) throw badRequest('invalid-parameter', `${name} is given more than once`);
    params.set(name, value);
  }
  return params;
}

function transformParams(params: ReadonlyMap<string, string>, limits: RouteLimits): TransformParams {
  const unknown = [...params.keys()].filter(
    (name) => !(TRANSFORM_PARAMETERS as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw badRequest(
      'unknown-parameter',
      `Unknown parameter ${unknown.join(', ')}; an ad-hoc transform takes ${TRANSFORM_PARAMETERS.join(', ')}`,
    );
  }
  const width = integer(params, 'w', 1, limits.maxDimension);
  const height = integer(params, 'h', 1, limits.maxDimension);
  if (width === undefined && height === undefined) {
    throw badRequest('invalid-parameter', 'An ad-hoc transform needs w, h or both');
  }
  const fit = params.get('fit') ?? 'inside';
  if (!(FITS as readonly string[]).includes(fit)) {
    throw badRequest('invalid-parameter', `fit must be one of ${FITS.join(', ')}, got "${fit}"`);
  }
  const format = params.get('format') ?? 'auto';
  if (format !== 'auto' && !isOutputFormat(format)) {
    throw badRequest(
      'invalid-parameter',
      `format must be one of webp, jpeg, avif, png, auto, got "${format}"`,
    );
  }
  const quality = integer(params, 'q', 1, 100);
  const exp = params.get('exp');
  if (exp !== undefined && !DECIMAL.test(exp)) {
    throw badRequest('invalid-parameter', `exp must be a time in Unix seconds, got "${exp}"`);
  }
  const kid = params.get('kid');
  if (kid !== undefined && !KEY_ID.test(kid)) {
    throw badRequest('invalid-parameter', 'kid must be 1-32 letters, digits, dashes or underscores');
  }
  return { width, height, fit: fit as Fit, format, quality };
}

/** Parses a request line into a route, or throws the DeliveryError to answer. */
export function parseRoute(
  method: string,
  path: string,
  rawQuery: string,
  limits: RouteLimits,
): DeliveryRoute {
  if (method !== 'GET' && method !== 'HEAD') {
    throw new DeliveryError(405, 'method-not-allowed', `${method} is not allowed; use GET or HEAD`, {
      allow: 'GET, HEAD',
    });
  }
  const preset = PRESET_PATH.exec(path);
  if (preset) {
    const [, , assetId = '', name = '', format = ''] = preset;
    checkAssetId(assetId);
    if (!PRESET_NAME.test(name)) throw notFound('unknown-preset', `Unknown preset "${name}"`);
    // Query strings on preset URLs are ignored (cache busters); CloudFront leaves them out of the key.
    return { kind: 'preset', assetId, preset: name, format: requestedFormat(format, name) };
  }
  const transform = TRANSFORM_PATH.exec(path);
  if (transform) {
    const assetId = checkAssetId(transform[1] ?? '');
    const params = queryParams(rawQuery);
    return {
      kind: 'transform',
      assetId,
      path: `/v/${assetId}`,
      params,
      transform: transformParams(params, limits),
    };
  }
  throw notFound(
    'not-found',
    'Not a delivery URL: /v/{assetId}/{preset}.{format} or a signed /v/{assetId}?…',
  );
}
