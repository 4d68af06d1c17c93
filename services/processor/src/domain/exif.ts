import type { Exif } from '@sluice/contracts';
import exifr from 'exifr';

/**
 * The only EXIF tags ever read. GPS is never parsed (exifr's `gps: false`), and serial numbers,
 * owner names, maker notes and thumbnails are not on the list: nothing else can reach a manifest.
 */
const PICK = [
  'Make',
  'Model',
  'LensModel',
  'DateTimeOriginal',
  'SubSecTimeOriginal',
  'OffsetTimeOriginal',
  'ExposureTime',
  'FNumber',
  'ISO',
  'FocalLength',
] as const;

const EXIFR_OPTIONS = {
  pick: [...PICK],
  tiff: true,
  ifd0: {},
  exif: true,
  gps: false,
  interop: false,
  ifd1: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: true,
  silentErrors: true,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: camera strings are NUL-padded
const CONTROL = /[\u0000-\u001f\u007f]/g;

function cleanString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.replace(CONTROL, '').trim().slice(0, 128).trim();
  return clean || undefined;
}

function positiveNumber(value: unknown): number | undefined {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n * 1e6) / 1e6 : undefined;
}

/**
 * EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"), with sub-seconds and OffsetTimeOriginal when the
 * camera wrote them, as ISO-8601 camera-local time. Undefined for placeholder or impossible dates.
 */
export function exifDateToIso(dateTime: unknown, subSec?: unknown, offset?: unknown): string | undefined {
  if (typeof dateTime !== 'string') return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(dateTime.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    y < 1800 ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let iso = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
  const fraction =
    typeof subSec === 'number' ? String(subSec) : typeof subSec === 'string' ? subSec.trim() : '';
  if (/^\d{1,9}$/.test(fraction)) iso += `.${fraction}`;
  if (typeof offset === 'string' && /^[+-]([01]\d|2[0-3]):[0-5]\d$/.test(offset.trim())) iso += offset.trim();
  return iso;
}

/** Maps exifr's output to the manifest's closed exif section; undefined when nothing is left. */
export function toManifestExif(raw: Record<string, unknown> | undefined): Exif | undefined {
  if (!raw) return undefined;
  const iso = positiveNumber(raw.ISO);
  const exif: Exif = {
    make: cleanString(raw.Make),
    model: cleanString(raw.Model),
    lens: cleanString(raw.LensModel),
    takenAt: exifDateToIso(raw.DateTimeOriginal, raw.SubSecTimeOriginal, raw.OffsetTimeOriginal),
    exposureTime: positiveNumber(raw.ExposureTime),
    fNumber: positiveNumber(raw.FNumber),
    iso: iso !== undefined && iso >= 1 ? Math.round(iso) : undefined,
    focalLength: positiveNumber(raw.FocalLength),
  };
  const present = Object.fromEntries(Object.entries(exif).filter(([, v]) => v !== undefined)) as Exif;
  return Object.keys(present).length > 0 ? present : undefined;
}

/**
 * The camera facts of an image file (JPEG, PNG eXIf, WebP, AVIF/HEIF, TIFF). Malformed metadata is
 * not an error: the image just has no EXIF section.
 */
export async function readExif(file: Buffer): Promise<Exif | undefined> {
  try {
    return toManifestExif((await exifr.parse(file, EXIFR_OPTIONS)) as Record<string, unknown> | undefined);
  } catch {
    return undefined;
  }
}
