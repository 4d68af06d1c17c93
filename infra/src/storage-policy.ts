import type { Topology } from '@sluice/contracts';
import type { SluiceConfig } from './config';

/**
 * The storage policy of each bucket (issue 6), in the shape of the topology's `storage` field
 * (topology/v1 `bucketStorage`): lifecycle rules, Intelligent-Tiering archive configurations and
 * Object Lock. A bucket whose topology entry carries `storage` gets exactly that, the one policy the
 * local runtime also applies. A bucket without it (a topology from before the field) gets the defaults
 * below, tuned by context values. The foundation stack turns either into bucket properties.
 */
export type TransitionStorageClass =
  | 'STANDARD_IA'
  | 'ONEZONE_IA'
  | 'INTELLIGENT_TIERING'
  | 'GLACIER_IR'
  | 'GLACIER'
  | 'DEEP_ARCHIVE';

export interface LifecycleTransition {
  days: number;
  storageClass: TransitionStorageClass;
}

export interface LifecycleRule {
  id: string;
  prefix?: string;
  expirationDays?: number;
  transitions?: LifecycleTransition[];
  abortIncompleteMultipartUploadDays?: number;
  noncurrentVersionExpirationDays?: number;
  noncurrentVersionsToRetain?: number;
  noncurrentVersionTransitions?: LifecycleTransition[];
  expiredObjectDeleteMarker?: true;
}

export interface IntelligentTieringConfiguration {
  id: string;
  prefix?: string;
  archiveAccessDays?: number;
  deepArchiveAccessDays?: number;
}

export interface ObjectLock {
  enabled: boolean;
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  retentionDays: number;
}

export interface BucketStorage {
  lifecycleRules?: LifecycleRule[];
  intelligentTiering?: IntelligentTieringConfiguration[];
  objectLock?: ObjectLock;
}

export interface BucketStoragePolicy extends BucketStorage {
  versioned: boolean;
  /** Where the policy came from, for tests and the README. */
  source: 'topology' | 'defaults';
}

/** The topology's `storage` field, when the topology carries one (topology/v1 grew it after 1.0). */
function storageOf(bucket: Topology['buckets'][string]): BucketStorage | undefined {
  return (bucket as { storage?: BucketStorage }).storage;
}

function defaults(name: string, versioned: boolean, config: SluiceConfig): BucketStorage {
  const rules: LifecycleRule[] = [
    {
      id: 'abort-incomplete-multipart-uploads',
      abortIncompleteMultipartUploadDays: config.abortIncompleteMultipartDays,
    },
  ];
  if (versioned) {
    rules.push({
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpirationDays: config.archiveNoncurrentVersionDays,
      expiredObjectDeleteMarker: true,
    });
  }
  const storage: BucketStorage = { lifecycleRules: rules };
  if (name === 'ingest') {
    rules.push(
      { id: 'expire-stale-uploads', prefix: 'uploads/', expirationDays: config.staleUploadDays },
      { id: 'expire-quarantine', prefix: 'quarantine/', expirationDays: config.quarantineDays },
      // Webhook receipts only guard the replay window (minutes); S3's shortest expiry is a day.
      { id: 'expire-webhook-receipts', prefix: 'webhooks/', expirationDays: 1 },
    );
  }
  if (name === 'processed') {
    // Everything moves to Intelligent-Tiering at once (S3 skips objects under 128 KB, which stay in
    // Standard without a monitoring fee). The archive tiers are opt-in and limited to renditions/: an
    // archived object answers GET with 403 until restored, which manifests and index documents must never do.
    rules.push({
      id: 'intelligent-tiering',
      transitions: [{ days: 0, storageClass: 'INTELLIGENT_TIERING' }],
    });
    if (
      config.processedArchiveAccessDays !== undefined ||
      config.processedDeepArchiveAccessDays !== undefined
    ) {
      storage.intelligentTiering = [
        {
          id: 'renditions-archive-tiers',
          prefix: 'renditions/',
          archiveAccessDays: config.processedArchiveAccessDays,
          deepArchiveAccessDays: config.processedDeepArchiveAccessDays,
        },
      ];
    }
  }
  return storage;
}

export function storagePolicy(topology: Topology, config: SluiceConfig): Record<string, BucketStoragePolicy> {
  // A file still under uploads/ is one that never finished the pipeline; it must outlive the DLQ that
  // holds its message, or a redrive finds nothing to process.
  const longestDlqDays = Math.max(
    0,
    ...Object.values(topology.queues).map((q) => Math.ceil(q.deadLetter.retentionSeconds / 86400)),
  );
  const policies: Record<string, BucketStoragePolicy> = {};
  for (const [name, bucket] of Object.entries(topology.buckets)) {
    const declared = storageOf(bucket);
    const policy: BucketStoragePolicy = {
      versioned: bucket.versioned,
      source: declared ? 'topology' : 'defaults',
      ...(declared ?? defaults(name, bucket.versioned, config)),
    };
    // Context can turn Object Lock on for the archive bucket (before its first deploy).
    if (name === 'archive' && config.archiveObjectLock) {
      policy.objectLock = {
        enabled: true,
        mode: config.archiveObjectLock.mode,
        retentionDays: config.archiveObjectLock.days,
      };
    }
    if (policy.objectLock?.enabled && !policy.versioned) {
      throw new Error(`bucket ${name}: Object Lock needs the bucket versioned in the topology`);
    }
    for (const rule of policy.lifecycleRules ?? []) {
      const onUploads =
        rule.prefix === undefined || rule.prefix.startsWith('uploads/') || 'uploads/'.startsWith(rule.prefix);
      if (
        name === 'ingest' &&
        onUploads &&
        rule.expirationDays !== undefined &&
        rule.expirationDays <= longestDlqDays
      ) {
        throw new Error(
          `bucket ingest, rule ${rule.id}: uploads expire after ${rule.expirationDays} days, within the longest DLQ retention (${longestDlqDays} days)`,
        );
      }
    }
    policies[name] = policy;
  }
  return policies;
}
