// The storage policy and the batch operations functions in topology.json: rules S3 would refuse at
// deploy time, and references, are caught here rather than by a failed CloudFormation update.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvironmentRef, topology } from '../src';
import { CONTRACTS_DIR } from './examples';

const REPO_ROOT = join(CONTRACTS_DIR, '..');
const buckets = Object.entries(topology.buckets);

function refTarget(ref: EnvironmentRef): { kind: 'buckets' | 'topics' | 'queues'; name: string } | undefined {
  if ('bucket' in ref) return { kind: 'buckets', name: ref.bucket };
  if ('topic' in ref) return { kind: 'topics', name: ref.topic };
  if ('queue' in ref) return { kind: 'queues', name: ref.queue };
  return undefined;
}

describe('topology.json storage policy', () => {
  const rules = buckets.flatMap(([bucket, spec]) =>
    (spec.storage?.lifecycleRules ?? []).map((rule) => ({ bucket, rule })),
  );

  it('gives every lifecycle rule at least one action, and unique ids per bucket', () => {
    const actions = [
      'expirationDays',
      'transitions',
      'abortIncompleteMultipartUploadDays',
      'noncurrentVersionExpirationDays',
      'noncurrentVersionTransitions',
      'expiredObjectDeleteMarker',
    ] as const;
    expect(
      rules.filter(({ rule }) => !actions.some((a) => rule[a] !== undefined)).map((r) => r.rule.id),
    ).toEqual([]);
    for (const [, spec] of buckets) {
      const ids = (spec.storage?.lifecycleRules ?? []).map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('keeps the rules S3 enforces: 30 days before STANDARD_IA/ONEZONE_IA, no delete-marker cleanup beside an expiration', () => {
    const problems = rules.flatMap(({ bucket, rule }) => [
      ...[...(rule.transitions ?? []), ...(rule.noncurrentVersionTransitions ?? [])]
        .filter((t) => ['STANDARD_IA', 'ONEZONE_IA'].includes(t.storageClass) && t.days < 30)
        .map((t) => `${bucket}/${rule.id}: ${t.storageClass} after ${t.days} days`),
      ...(rule.expiredObjectDeleteMarker && rule.expirationDays
        ? [`${bucket}/${rule.id}: expiredObjectDeleteMarker with expirationDays`]
        : []),
      ...(rule.noncurrentVersionsToRetain && !rule.noncurrentVersionExpirationDays
        ? [`${bucket}/${rule.id}: noncurrentVersionsToRetain without noncurrentVersionExpirationDays`]
        : []),
    ]);
    expect(problems).toEqual([]);
  });

  it('only uses noncurrent-version rules and Object Lock on versioned buckets', () => {
    const problems = buckets.flatMap(([bucket, spec]) => {
      if (spec.versioned) return [];
      const noncurrent = (spec.storage?.lifecycleRules ?? []).filter(
        (r) =>
          r.noncurrentVersionExpirationDays || r.noncurrentVersionTransitions || r.expiredObjectDeleteMarker,
      );
      return [
        ...noncurrent.map((r) => `${bucket}/${r.id} acts on noncurrent versions of an unversioned bucket`),
        ...(spec.storage?.objectLock?.enabled ? [`${bucket}: Object Lock needs versioning`] : []),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('gives every Intelligent-Tiering configuration an archive tier, deep after archive', () => {
    const problems = buckets.flatMap(([bucket, spec]) =>
      (spec.storage?.intelligentTiering ?? []).flatMap((c) => {
        if (c.archiveAccessDays === undefined && c.deepArchiveAccessDays === undefined) {
          return [`${bucket}/${c.id}: no tier`];
        }
        if (
          c.archiveAccessDays &&
          c.deepArchiveAccessDays &&
          c.deepArchiveAccessDays <= c.archiveAccessDays
        ) {
          return [`${bucket}/${c.id}: deep archive before archive`];
        }
        return [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('cleans up abandoned multipart uploads in every bucket that receives them', () => {
    for (const bucket of ['ingest', 'processed', 'archive']) {
      expect(
        topology.buckets[bucket]?.storage?.lifecycleRules?.some((r) => r.abortIncompleteMultipartUploadDays),
      ).toBe(true);
    }
  });
});

describe('topology.json batch operations functions', () => {
  const functions = Object.entries(topology.batchOperations ?? {});

  it('has the reprocess function', () => {
    expect(functions.map(([name]) => name)).toContain('reprocess');
  });

  it.each(functions)('%s refers only to what the topology defines, and its entry exists', (_name, spec) => {
    const dangling: string[] = [];
    if (spec.environmentFrom && !topology.services[spec.environmentFrom])
      dangling.push(`service ${spec.environmentFrom}`);
    for (const bucket of [...spec.taskBuckets, spec.reportBucket]) {
      if (!topology.buckets[bucket]) dangling.push(`bucket ${bucket}`);
    }
    for (const ref of Object.values(spec.environment)) {
      const target = refTarget(ref);
      if (target && !(target.name in topology[target.kind])) dangling.push(`${target.kind} ${target.name}`);
    }
    expect(dangling).toEqual([]);
    expect(existsSync(join(REPO_ROOT, spec.entry))).toBe(true);
  });
});
