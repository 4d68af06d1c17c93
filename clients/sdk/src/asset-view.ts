import type { AssetManifest } from '@sluice/contracts';

/*
 * GET /assets/{id} as clients use it. The answer's shape is the ingest service's (issue 4 extends
 * it with rejections and rendition URLs); this module reads what is there, tolerating fields that
 * are not there yet, so the CLI and the web page work against every version of the route.
 */

export const STAGES = ['uploaded', 'processed', 'indexed', 'archived'] as const;
export type StageName = (typeof STAGES)[number];

export interface Rejection {
  reason: string;
  message: string;
  stage?: string;
}

export interface RenditionView {
  preset: string;
  format: string;
  width?: number;
  height?: number;
  bytes?: number;
  contentType?: string;
  key?: string;
  /** A short-lived URL to fetch it, when the API gives one. */
  url?: string;
}

export interface AssetView {
  assetId: string;
  stages: Record<StageName, boolean>;
  rejected?: Rejection;
  fileName?: string;
  manifest?: AssetManifest;
  renditions: RenditionView[];
  /** Everything the API answered, for `--json` and for fields this module does not know yet. */
  raw: Record<string, unknown>;
}

/** Where an asset stands: `rejected`, or the furthest stage it reached. */
export type AssetState = 'rejected' | StageName;

export function assetState(view: AssetView): AssetState {
  if (view.rejected) return 'rejected';
  for (const stage of [...STAGES].reverse()) if (view.stages[stage]) return stage;
  return 'uploaded';
}

/** Finished: rejected, or through every stage a file goes through (processed, indexed and archived). */
export function isSettled(view: AssetView): boolean {
  return (
    view.rejected !== undefined || (view.stages.processed && view.stages.indexed && view.stages.archived)
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function readRejection(body: Record<string, unknown>): Rejection | undefined {
  for (const candidate of [
    body.rejection,
    body.rejected,
    (body.stages as Record<string, unknown>)?.rejected,
  ]) {
    if (isObject(candidate) && str(candidate.reason)) {
      return {
        reason: String(candidate.reason),
        message: str(candidate.message) ?? String(candidate.reason),
        stage: str(candidate.stage),
      };
    }
  }
  if (body.status === 'rejected' || body.state === 'rejected') {
    return { reason: str(body.reason) ?? 'rejected', message: str(body.message) ?? 'Rejected' };
  }
  return undefined;
}

function readStages(body: Record<string, unknown>): Record<StageName, boolean> {
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, false])) as Record<StageName, boolean>;
  const raw = body.stages;
  if (isObject(raw)) {
    for (const stage of STAGES) {
      const value = raw[stage];
      // A stage is reached when it says true, or when it is an object with a done/at/status marker.
      stages[stage] =
        value === true ||
        (isObject(value) &&
          (value.done === true ||
            value.reached === true ||
            typeof value.at === 'string' ||
            value.status === 'done' ||
            value.status === 'succeeded'));
    }
  } else if (Array.isArray(raw)) {
    for (const entry of raw) {
      if (isObject(entry) && STAGES.includes(entry.name as StageName)) {
        stages[entry.name as StageName] =
          entry.done === true || entry.status === 'done' || typeof entry.at === 'string';
      }
    }
  }
  stages.uploaded = true;
  return stages;
}

function readRenditions(body: Record<string, unknown>, manifest: AssetManifest | undefined): RenditionView[] {
  const fromManifest: RenditionView[] = (manifest?.renditions ?? []).map((r) => ({ ...r }));
  const extra = Array.isArray(body.renditions) ? body.renditions.filter(isObject) : [];
  const byName = new Map(fromManifest.map((r) => [`${r.preset}.${r.format}`, r]));
  for (const entry of extra) {
    const preset = str(entry.preset);
    const format = str(entry.format);
    if (!preset || !format) continue;
    const known = byName.get(`${preset}.${format}`);
    const merged: RenditionView = {
      ...known,
      preset,
      format,
      width: num(entry.width) ?? known?.width,
      height: num(entry.height) ?? known?.height,
      bytes: num(entry.bytes) ?? known?.bytes,
      contentType: str(entry.contentType) ?? known?.contentType,
      key: str(entry.key) ?? known?.key,
      url: str(entry.url) ?? known?.url,
    };
    byName.set(`${preset}.${format}`, merged);
  }
  // A map of URLs keyed `preset.format` is the other shape a status answer may use.
  const urls = isObject(body.renditionUrls)
    ? body.renditionUrls
    : isObject(body.urls)
      ? body.urls
      : undefined;
  if (urls) {
    for (const [name, url] of Object.entries(urls)) {
      const known = byName.get(name);
      if (known && typeof url === 'string') known.url = url;
    }
  }
  return [...byName.values()];
}

export function toAssetView(body: unknown, assetId: string): AssetView {
  if (!isObject(body)) throw new TypeError(`The asset status of ${assetId} is not a JSON object`);
  const manifest = isObject(body.manifest) ? (body.manifest as unknown as AssetManifest) : undefined;
  return {
    assetId: str(body.assetId) ?? assetId,
    stages: readStages(body),
    rejected: readRejection(body),
    fileName: str(body.fileName) ?? manifest?.source.fileName,
    manifest,
    renditions: readRenditions(body, manifest),
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
