import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { topology } from '@sluice/contracts';
import { createS3Client } from '../src/aws';
import { type MotoServer, startMoto } from '../src/moto';
import { provision } from '../src/provision';
import { toLifecycleRules } from '../src/storage-policy';
import type { TopologyLike } from '../src/topology';
import { uniquePrefix } from './helpers';

describe('storage policy on moto', () => {
  let moto: MotoServer;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
    s3 = createS3Client({ endpoint: moto.endpoint });
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it("applies the contracts topology's lifecycle rules to every bucket, again on re-provisioning", async () => {
    const prefix = uniquePrefix('life');
    await provision({ endpoint: moto.endpoint, namePrefix: prefix });
    const resources = await provision({ endpoint: moto.endpoint, namePrefix: prefix });
    for (const [bucket, spec] of Object.entries(topology.buckets)) {
      const got = await s3.send(
        new GetBucketLifecycleConfigurationCommand({ Bucket: resources.buckets[bucket] as string }),
      );
      expect((got.Rules ?? []).map((r) => r.ID)).toEqual(spec.storage?.lifecycleRules?.map((r) => r.id));
    }
    const ingest = await s3.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: resources.buckets.ingest as string }),
    );
    expect(ingest.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ID: 'abort-incomplete-multipart-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }),
        expect.objectContaining({
          ID: 'stale-uploads-to-infrequent-access',
          Filter: { Prefix: 'uploads/' },
          Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }],
        }),
      ]),
    );
    // Object Lock is declared for the archive but disabled: no lock configuration there.
    await expect(
      s3.send(new GetObjectLockConfigurationCommand({ Bucket: resources.buckets.archive as string })),
    ).rejects.toThrow();
  });

  it('creates a bucket with Object Lock and a default retention that refuses to delete a locked version', async () => {
    const locked: TopologyLike = {
      buckets: {
        vault: {
          versioned: true,
          notifications: [],
          storage: {
            lifecycleRules: [{ id: 'expire-noncurrent', noncurrentVersionExpirationDays: 30 }],
            objectLock: { enabled: true, mode: 'GOVERNANCE', retentionDays: 1 },
          },
        },
      },
      topics: {},
      queues: {},
      services: {},
    };
    const resources = await provision({
      endpoint: moto.endpoint,
      namePrefix: uniquePrefix('lock'),
      topology: locked,
    });
    const bucket = resources.buckets.vault as string;
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    expect(config.ObjectLockConfiguration).toMatchObject({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
    });
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'kept', ChecksumAlgorithm: 'SHA256' }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: put.VersionId })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('maps every rule field to the S3 API', () => {
    expect(
      toLifecycleRules([
        {
          id: 'all',
          prefix: 'x/',
          transitions: [{ days: 0, storageClass: 'INTELLIGENT_TIERING' }],
          noncurrentVersionExpirationDays: 90,
          noncurrentVersionsToRetain: 2,
          noncurrentVersionTransitions: [{ days: 30, storageClass: 'GLACIER_IR' }],
          abortIncompleteMultipartUploadDays: 1,
          expiredObjectDeleteMarker: true,
        },
        { id: 'expire', expirationDays: 365 },
      ]),
    ).toEqual([
      {
        ID: 'all',
        Status: 'Enabled',
        Filter: { Prefix: 'x/' },
        Expiration: { ExpiredObjectDeleteMarker: true },
        Transitions: [{ Days: 0, StorageClass: 'INTELLIGENT_TIERING' }],
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 2 },
        NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER_IR' }],
      },
      { ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 365 } },
    ]);
  });
});
