import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseArchiveKey, parseManifestKey, parseUploadKey } from '@sluice/runtime';

/** One object a reprocess job acts on. */
export interface TaskObject {
  bucket: string;
  key: string;
}

/**
 * What a job covers. manifests (default): every asset the processor has processed, whatever its
 * original's storage (one task per manifests/{assetId}.json). archive: every archived original.
 * ingest: every original still under uploads/ (processed or not).
 */
export type TaskSource = 'manifests' | 'archive' | 'ingest';
export const TASK_SOURCES: readonly TaskSource[] = ['manifests', 'archive', 'ingest'];

const PREFIX: Record<TaskSource, string> = {
  manifests: 'manifests/',
  archive: 'originals/',
  ingest: 'uploads/',
};

export function listingPrefix(source: TaskSource, tenantId?: string): string {
  return tenantId && source !== 'manifests' ? `${PREFIX[source]}${tenantId}/` : PREFIX[source];
}

/** Keys of the listing that name something the reprocess handler accepts. */
function accepts(source: TaskSource, key: string): boolean {
  if (source === 'manifests') return parseManifestKey(key) !== null;
  if (source === 'archive') return parseArchiveKey(key) !== null;
  return parseUploadKey(key) !== null;
}

/** Lists a bucket (every page) into tasks: the local counterpart of S3 Batch Operations' manifest generator. */
export async function listTasks(
  s3: S3Client,
  bucket: string,
  source: TaskSource,
  options: { tenantId?: string; limit?: number } = {},
): Promise<TaskObject[]> {
  const tasks: TaskObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: listingPrefix(source, options.tenantId),
        ContinuationToken: token,
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key && accepts(source, item.Key)) tasks.push({ bucket, key: item.Key });
      if (options.limit !== undefined && tasks.length >= options.limit) return tasks;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return tasks;
}

/** URL-encodes a key as S3 Batch Operations manifests and task events carry it ('/' kept). */
export function encodeManifestKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/** A CSV manifest in S3BatchOperations_CSV_20180820 format with the fields Bucket, Key. */
export function toCsvManifest(tasks: readonly TaskObject[]): string {
  return tasks.map((t) => `${t.bucket},${encodeManifestKey(t.key)}\n`).join('');
}
