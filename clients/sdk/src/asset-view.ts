import type { AssetManifest, AssetStatus } from '@sluice/contracts';

/*
 * GET /assets/{id} (asset-status/v1) as the CLI and the web page use it. Reads the contract's
 * fields, and tolerates what a reader deployed before a writer may meet: the placeholder, dominant
 * color and EXIF are read when the answer carries them (top level, or an embedded manifest).
 */

export const STAGES = ['uploaded', 'processed', 'indexed', 'archived'] as const;
export type StageName = (typeof STAGES)[number];

export interface Rejection {
  reason: string;
  message: string;
  stage?: string;
  rejectedAt?: string;
}

export interface RenditionView {
  preset: string;
  format: string;
  width?: number;
  height?: number;
  bytes?: number;
  contentType?: string;
  key?: string;
  /** A short-lived URL to fetch it. */
  url?: string;
  expiresAt?: string;
}

export type AssetState = AssetStatus['state'];

export interface AssetView {
  assetId: string;
  state: AssetState;
  stages: Record<StageName, boolean>;
  rejected?: Rejection;
  fileName?: string;
  contentType?: string;
  size?: number;
  sha256?: string;
  detected?: { mime: string; kind: string };
  image?: { width: number; height: number; format?: string };
  processedAt?: string;
  renditions: RenditionView[];
  placeholder?: { type: string; value: string };
  dominantColor?: string;
  exif?: AssetManifest['exif'];
  /** Everything the API answered, for `--json` and for fields this module does not know yet. */
  raw: Record<string, unknown>;
}

export function assetState(view: AssetView): AssetState {
  return view.state;
}

/** Finished: rejected, or through every stage (processed, indexed and archived). */
export function isSettled(view: AssetView): boolean {
  return view.state === 'rejected' || view.state === 'archived';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function readStages(body: Record<string, unknown>): Record<StageName, boolean> {
  const raw = isObject(body.stages) ? body.stages : {};
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, raw[stage] === true])) as Record<
    StageName,
    boolean
  >;
  stages.uploaded = true;
  return stages;
}

function readState(
  body: Record<string, unknown>,
  stages: Record<StageName, boolean>,
  rejected: boolean,
): AssetState {
  const state = body.state;
  if (
    state === 'uploaded' ||
    state === 'processed' ||
    state === 'indexed' ||
    state === 'archived' ||
    state === 'rejected'
  ) {
    return state;
  }
  if (rejected) return 'rejected';
  if (stages.processed && stages.indexed && stages.archived) return 'archived';
  if (stages.indexed) return 'indexed';
  return stages.processed ? 'processed' : 'uploaded';
}

function readRejection(body: Record<string, unknown>): Rejection | undefined {
  const r = body.rejection;
  if (!isObject(r) || !str(r.reason)) return undefined;
  return {
    reason: String(r.reason),
    message: str(r.message) ?? String(r.reason),
    stage: str(r.stage),
    rejectedAt: str(r.rejectedAt),
  };
}

function readRenditions(body: Record<string, unknown>): RenditionView[] {
  const list = Array.isArray(body.renditions) ? body.renditions.filter(isObject) : [];
  return list.flatMap((r) => {
    const preset = str(r.preset);
    const format = str(r.format);
    if (!preset || !format) return [];
    return [
      {
        preset,
        format,
        width: num(r.width),
        height: num(r.height),
        bytes: num(r.bytes),
        contentType: str(r.contentType),
        key: str(r.key),
        url: str(r.url),
        expiresAt: str(r.expiresAt),
      },
    ];
  });
}

export function toAssetView(body: unknown, assetId: string): AssetView {
  if (!isObject(body)) throw new TypeError(`The asset status of ${assetId} is not a JSON object`);
  const manifest = isObject(body.manifest) ? (body.manifest as Partial<AssetManifest>) : undefined;
  const stages = readStages(body);
  const rejected = readRejection(body);
  const detected = isObject(body.detected) ? body.detected : manifest?.detected;
  const image = isObject(body.image) ? body.image : manifest?.image;
  const placeholder = isObject(body.placeholder) ? body.placeholder : manifest?.placeholder;
  return {
    assetId: str(body.assetId) ?? assetId,
    state: readState(body, stages, rejected !== undefined),
    stages,
    rejected,
    fileName: str(body.fileName) ?? manifest?.source?.fileName,
    contentType: str(body.contentType),
    size: num(body.size) ?? manifest?.source?.size,
    sha256: str(body.sha256) ?? manifest?.sha256,
    detected:
      detected && str(detected.mime) && str(detected.kind)
        ? { mime: String(detected.mime), kind: String(detected.kind) }
        : undefined,
    image:
      image && num(image.width) && num(image.height)
        ? { width: Number(image.width), height: Number(image.height), format: str(image.format) }
        : undefined,
    processedAt: str(body.processedAt) ?? manifest?.processedAt,
    renditions: readRenditions(body),
    placeholder:
      placeholder && str(placeholder.type) && str(placeholder.value)
        ? { type: String(placeholder.type), value: String(placeholder.value) }
        : undefined,
    dominantColor: str(body.dominantColor) ?? manifest?.dominantColor,
    exif: (isObject(body.exif) ? body.exif : manifest?.exif) as AssetManifest['exif'] | undefined,
    raw: body,
  };
}

/** The rendition to show at about `width` pixels: the smallest at least that wide, webp first. */
export function pickRendition(renditions: RenditionView[], width: number): RenditionView | undefined {
  const usable = renditions.filter((r) => r.url);
  const sorted = [...usable].sort(
    (a, b) => (a.width ?? 0) - (b.width ?? 0) || (a.format === 'webp' ? -1 : b.format === 'webp' ? 1 : 0),
  );
  return sorted.find((r) => (r.width ?? 0) >= width) ?? sorted.at(-1);
}
