import {
  DeleteBucketLifecycleCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/*
 * A bucket's storage policy from the topology (buckets.<name>.storage), applied to moto as far as
 * moto 5.2.1 goes: lifecycle rules are stored (GetBucketLifecycleConfiguration returns them) but
 * never run; Object Lock works (default retention, refused deletes of locked versions);
 * Intelligent-Tiering configurations are not implemented by moto (PutBucketIntelligentTiering-
 * Configuration answers 200 and stores nothing), so they are left out here. The CDK app applies
 * the same data on AWS.
 */

export interface LifecycleTransitionSpec {
  days: number;
  storageClass: string;
}

export interface LifecycleRuleSpec {
  id: string;
  prefix?: string;
  expirationDays?: number;
  transitions?: LifecycleTransitionSpec[];
  abortIncompleteMultipartUploadDays?: number;
  noncurrentVersionExpirationDays?: number;
  noncurrentVersionsToRetain?: number;
  noncurrentVersionTransitions?: LifecycleTransitionSpec[];
  expiredObjectDeleteMarker?: boolean;
}

export interface BucketStorageSpec {
  lifecycleRules?: LifecycleRuleSpec[];
  intelligentTiering?: {
    id: string;
    prefix?: string;
    archiveAccessDays?: number;
    deepArchiveAccessDays?: number;
  }[];
  objectLock?: { enabled: boolean; mode: string; retentionDays: number };
}

/** The S3 API's form of the topology's lifecycle rules. */
export function toLifecycleRules(rules: readonly LifecycleRuleSpec[]): LifecycleRule[] {
  return rules.map((rule) => {
    const expiration =
      rule.expirationDays !== undefined
        ? { Days: rule.expirationDays }
        : rule.expiredObjectDeleteMarker
          ? { ExpiredObjectDeleteMarker: true }
          : undefined;
    return {
      ID: rule.id,
      Status: 'Enabled',
      Filter: { Prefix: rule.prefix ?? '' },
      ...(expiration ? { Expiration: expiration } : {}),
      ...(rule.transitions
        ? {
            Transitions: rule.transitions.map((t) => ({
              Days: t.days,
              StorageClass: t.storageClass as never,
            })),
          }
        : {}),
      ...(rule.abortIncompleteMultipartUploadDays !== undefined
        ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteMultipartUploadDays } }
        : {}),
      ...(rule.noncurrentVersionExpirationDays !== undefined
        ? {
            NoncurrentVersionExpiration: {
              NoncurrentDays: rule.noncurrentVersionExpirationDays,
              ...(rule.noncurrentVersionsToRetain
                ? { NewerNoncurrentVersions: rule.noncurrentVersionsToRetain }
                : {}),
            },
          }
        : {}),
      ...(rule.noncurrentVersionTransitions
        ? {
            NoncurrentVersionTransitions: rule.noncurrentVersionTransitions.map((t) => ({
              NoncurrentDays: t.days,
              StorageClass: t.storageClass as never,
            })),
          }
        : {}),
    };
  });
}

/** Applies lifecycle rules and Object Lock's default retention; safe to run again (each call replaces). */
export async function applyStoragePolicy(
  s3: S3Client,
  bucket: string,
  storage: BucketStorageSpec | undefined,
) {
  const rules = storage?.lifecycleRules ?? [];
  if (rules.length > 0) {
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: toLifecycleRules(rules) },
      }),
    );
  } else {
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
  }
  const lock = storage?.objectLock;
  if (lock?.enabled) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: lock.mode as never, Days: lock.retentionDays } },
        },
      }),
    );
  }
}
