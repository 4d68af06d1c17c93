import type { Topology } from '@sluice/contracts';
import type { ObjectLockSetting, SluiceConfig } from './config';

/**
 * The storage policies of issue 6 as plain data, free of CDK types, so that the local runtime can apply
 * the same policy to its emulated buckets (moving this file into contracts/ is the next step; see the
 * README). The foundation stack turns it into bucket properties.
 */
export interface LifecycleRule {
  id: string;
  prefix?: string;
  /** Delete current objects this many days after creation. */
  expireAfterDays?: number;
  /** Move current objects to S3 Intelligent-Tiering this many days after creation. */
  intelligentTieringAfterDays?: number;
  /** Delete noncurrent versions this many days after they became noncurrent. */
  noncurrentExpireAfterDays?: number;
  abortIncompleteMultipartAfterDays?: number;
  /** Remove delete markers that no longer hide any version. */
  expiredObjectDeleteMarker?: boolean;
}

export interface IntelligentTieringArchive {
  id: string;
  prefix: string;
  archiveAccessTierDays?: number;
  deepArchiveAccessTierDays?: number;
}

export interface BucketStoragePolicy {
  versioned: boolean;
  lifecycle: LifecycleRule[];
  intelligentTiering?: IntelligentTieringArchive;
  objectLock?: ObjectLockSetting;
}

export function storagePolicy(topology: Topology, config: SluiceConfig): Record<string, BucketStoragePolicy> {
  // A file still under uploads/ is one that never finished the pipeline; it must outlive the DLQ that
  // holds its message, or a redrive finds nothing to process.
  const longestDlqDays = Math.max(
    0,
    ...Object.values(topology.queues).map((q) => Math.ceil(q.deadLetter.retentionSeconds / 86400)),
  );
  if (config.staleUploadDays <= longestDlqDays) {
    throw new Error(
      `staleUploadDays (${config.staleUploadDays}) must exceed the longest DLQ retention (${longestDlqDays} days)`,
    );
  }
  const abort = config.abortIncompleteMultipartDays;
  const policies: Record<string, BucketStoragePolicy> = {};
  for (const [name, bucket] of Object.entries(topology.buckets)) {
    const policy: BucketStoragePolicy = {
      versioned: bucket.versioned,
      lifecycle: [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartAfterDays: abort }],
    };
    if (bucket.versioned) {
      policy.lifecycle.push({
        id: 'expire-noncurrent-versions',
        noncurrentExpireAfterDays: config.archiveNoncurrentVersionDays,
        expiredObjectDeleteMarker: true,
      });
    }
    policies[name] = policy;
  }
  const ingest = policies.ingest;
  if (ingest) {
    ingest.lifecycle.push(
      { id: 'expire-stale-uploads', prefix: 'uploads/', expireAfterDays: config.staleUploadDays },
      { id: 'expire-quarantine', prefix: 'quarantine/', expireAfterDays: config.quarantineDays },
    );
  }
  const processed = policies.processed;
  if (processed) {
    // Everything moves to Intelligent-Tiering at once (S3 skips objects under 128 KB, which stay in
    // Standard without a monitoring fee). The archive access tiers are opt-in and limited to renditions/:
    // an archived object answers GET with 403 until restored, which manifests and index documents must never do.
    processed.lifecycle.push({ id: 'intelligent-tiering', intelligentTieringAfterDays: 0 });
    if (
      config.processedArchiveAccessDays !== undefined ||
      config.processedDeepArchiveAccessDays !== undefined
    ) {
      processed.intelligentTiering = {
        id: 'renditions-archive-tiers',
        prefix: 'renditions/',
        archiveAccessTierDays: config.processedArchiveAccessDays,
        deepArchiveAccessTierDays: config.processedDeepArchiveAccessDays,
      };
    }
  }
  const archive = policies.archive;
  if (archive && config.archiveObjectLock) {
    if (!archive.versioned) throw new Error('Object Lock needs the archive bucket versioned in the topology');
    archive.objectLock = config.archiveObjectLock;
  }
  return policies;
}
