/**
 * The object key layout every service agrees on. Uploads carry their tenant and asset id in the
 * key, so a file dropped straight into the bucket by any S3 client flows like a presigned upload.
 *
 *   ingest     uploads/{tenantId}/{assetId}/{fileName}
 *   ingest     quarantine/{tenantId}/{assetId}/{fileName}
 *   processed  renditions/{assetId}/{preset}.{format}
 *   processed  manifests/{assetId}.json
 *   processed  index/{tenantId}/{assetId}.json
 *   processed  rejections/{assetId}.json
 *   archive    originals/{tenantId}/{assetId}/{fileName}
 */
import { randomUUID } from 'node:crypto';

export const UPLOADS_PREFIX = 'uploads/';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ASSET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_FILE_NAME_BYTES = 200;

export interface UploadLocation {
  tenantId: string;
  assetId: string;
  fileName: string;
}

export function newAssetId(): string {
  return randomUUID();
}

export function isTenantId(value: string): boolean {
  return TENANT_ID.test(value);
}

export function isAssetId(value: string): boolean {
  return ASSET_ID.test(value);
}

/**
 * A client's file name reduced to one safe path segment: no directories, no control or bidi characters,
 * no leading dots, at most 200 UTF-8 bytes (extension kept). Unicode letters stay.
 */
export function sanitizeFileName(name: string): string {
  const lastSegment = name.split(/[/\\]/).pop() ?? '';
  let clean = lastSegment
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    // Bidirectional controls make `x\u202Egpj.exe` display as `xexe.jpg`: a name must read as it is.
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!clean) clean = 'file';
  if (Buffer.byteLength(clean) <= MAX_FILE_NAME_BYTES) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  let stem = clean.slice(0, clean.length - ext.length);
  while (Buffer.byteLength(stem + ext) > MAX_FILE_NAME_BYTES) stem = Array.from(stem).slice(0, -1).join('');
  return stem + ext;
}

export function uploadKey({ tenantId, assetId, fileName }: UploadLocation): string {
  return `${UPLOADS_PREFIX}${tenantId}/${assetId}/${fileName}`;
}

/** Parses an ingest key; null when it does not follow the documented layout. */
export function parseUploadKey(key: string): UploadLocation | null {
  if (!key.startsWith(UPLOADS_PREFIX)) return null;
  const [tenantId, assetId, ...rest] = key.slice(UPLOADS_PREFIX.length).split('/');
  const fileName = rest.join('/');
  if (!tenantId || !assetId || !fileName || rest.length !== 1) return null;
  if (!isTenantId(tenantId) || !isAssetId(assetId)) return null;
  return { tenantId, assetId, fileName };
}

export function quarantineKey({ tenantId, assetId, fileName }: UploadLocation): string {
  return `quarantine/${tenantId}/${assetId}/${fileName}`;
}

export function renditionKey(assetId: string, preset: string, format: string): string {
  return `renditions/${assetId}/${preset}.${format}`;
}

export function manifestKey(assetId: string): string {
  return `manifests/${assetId}.json`;
}

/** The asset id of a manifest key, or null for anything else under the processed bucket. */
export function parseManifestKey(key: string): string | null {
  const match = /^manifests\/([^/]+)\.json$/.exec(key);
  return match?.[1] && isAssetId(match[1]) ? match[1] : null;
}

/** Why the processor rejected an asset (rejection-record/v1), read back by GET /assets/{id}. */
export function rejectionKey(assetId: string): string {
  return `rejections/${assetId}.json`;
}

export function indexDocumentKey(tenantId: string, assetId: string): string {
  return `index/${tenantId}/${assetId}.json`;
}

export function archiveKey({ tenantId, assetId, fileName }: UploadLocation): string {
  return `originals/${tenantId}/${assetId}/${fileName}`;
}

/** Parses an archive key (originals/{tenantId}/{assetId}/{fileName}); null for anything else. */
export function parseArchiveKey(key: string): UploadLocation | null {
  if (!key.startsWith('originals/')) return null;
  return parseUploadKey(`${UPLOADS_PREFIX}${key.slice('originals/'.length)}`);
}
