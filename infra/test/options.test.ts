import type { Topology } from '@sluice/contracts';
import { topology } from '@sluice/contracts';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildSluice } from '../src/app';
import { readConfig } from '../src/config';
import { storagePolicy } from '../src/storage-policy';
import { validateTopology } from '../src/topology';
import { type Json, render, resources, unusedAcknowledgements } from './helpers';

function build(context: Record<string, unknown>, only: string[], fixture?: Topology) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildSluice(app, { only, topology: fixture });
  app.synth();
  return stacks;
}

/** The topology without any bucket `storage` field: the app's defaults apply. */
function withoutStorage(): Topology {
  const copy = structuredClone(topology) as Topology;
  for (const bucket of Object.values(copy.buckets)) delete (bucket as { storage?: unknown }).storage;
  return copy;
}

/** The topology with a declared storage policy on every bucket. */
function withStorage(): Topology {
  const copy = structuredClone(topology) as Topology;
  const set = (name: string, storage: unknown) => {
    const bucket = copy.buckets[name];
    if (bucket) (bucket as { storage?: unknown }).storage = storage;
  };
  set('ingest', {
    lifecycleRules: [
      { id: 'abort', abortIncompleteMultipartUploadDays: 7 },
      { id: 'uploads-to-ia', prefix: 'uploads/', transitions: [{ days: 30, storageClass: 'STANDARD_IA' }] },
      {
        id: 'quarantine',
        prefix: 'quarantine/',
        transitions: [{ days: 30, storageClass: 'GLACIER_IR' }],
        expirationDays: 365,
      },
    ],
  });
  set('processed', {
    lifecycleRules: [
      { id: 'it', transitions: [{ days: 0, storageClass: 'INTELLIGENT_TIERING' }] },
      { id: 'abort', abortIncompleteMultipartUploadDays: 7 },
    ],
    intelligentTiering: [{ id: 'renditions', prefix: 'renditions/', archiveAccessDays: 90 }],
  });
  set('archive', {
    lifecycleRules: [
      { id: 'abort', abortIncompleteMultipartUploadDays: 2 },
      {
        id: 'noncurrent',
        noncurrentVersionExpirationDays: 180,
        noncurrentVersionsToRetain: 2,
        expiredObjectDeleteMarker: true,
      },
    ],
    objectLock: { enabled: true, mode: 'GOVERNANCE', retentionDays: 30 },
  });
  return copy;
}

const bucketOf = (template: Template, name: string): Json =>
  resources(template, 'AWS::S3::Bucket').find(([id]) =>
    id.startsWith(`${name[0]?.toUpperCase()}${name.slice(1)}Bucket`),
  )?.[1];

describe('storage policies', () => {
  it('a storage policy declared in the topology is deployed as declared', () => {
    const { foundation } = build({}, ['foundation'], withStorage());
    const template = Template.fromStack(foundation as never);
    expect(bucketOf(template, 'ingest').Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'abort', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      {
        Id: 'uploads-to-ia',
        Status: 'Enabled',
        Prefix: 'uploads/',
        Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
      },
      {
        Id: 'quarantine',
        Status: 'Enabled',
        Prefix: 'quarantine/',
        ExpirationInDays: 365,
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      },
    ]);
    expect(bucketOf(template, 'processed').Properties.IntelligentTieringConfigurations).toEqual([
      {
        Id: 'renditions',
        Prefix: 'renditions/',
        Status: 'Enabled',
        Tierings: [{ AccessTier: 'ARCHIVE_ACCESS', Days: 90 }],
      },
    ]);
    const archive = bucketOf(template, 'archive');
    expect(archive.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
    });
    expect(archive.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 180, NewerNoncurrentVersions: 2 },
        ExpiredObjectDeleteMarker: true,
      }),
    );
  });

  it('without one, the defaults: stale uploads, quarantine and webhook receipts expire, archive tiers for renditions on request', () => {
    const { foundation } = build(
      { processedArchiveAccessDays: '120', processedDeepArchiveAccessDays: '365' },
      ['foundation'],
      withoutStorage(),
    );
    const template = Template.fromStack(foundation as never);
    expect(bucketOf(template, 'ingest').Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'expire-stale-uploads', Prefix: 'uploads/', ExpirationInDays: 30 }),
        expect.objectContaining({ Id: 'expire-quarantine', Prefix: 'quarantine/', ExpirationInDays: 90 }),
        expect.objectContaining({ Id: 'expire-webhook-receipts', Prefix: 'webhooks/', ExpirationInDays: 1 }),
      ]),
    );
    expect(bucketOf(template, 'processed').Properties.IntelligentTieringConfigurations).toEqual([
      {
        Id: 'renditions-archive-tiers',
        Prefix: 'renditions/',
        Status: 'Enabled',
        Tierings: [
          { AccessTier: 'ARCHIVE_ACCESS', Days: 120 },
          { AccessTier: 'DEEP_ARCHIVE_ACCESS', Days: 365 },
        ],
      },
    ]);
  });

  it('stale uploads must outlive the DLQs, or a redrive would find nothing', () => {
    const config = readConfig((k) => ({ staleUploadDays: '14' })[k]);
    expect(() => storagePolicy(withoutStorage(), config)).toThrow(/longest DLQ retention/);
  });
});

describe('context options', () => {
  it('Object Lock on the archive bucket from context', () => {
    const { foundation } = build({ archiveObjectLockMode: 'COMPLIANCE', archiveObjectLockDays: '400' }, [
      'foundation',
    ]);
    const archive = bucketOf(Template.fromStack(foundation as never), 'archive');
    expect(archive.Properties.ObjectLockEnabled).toBe(true);
    expect(archive.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } },
    });
  });

  it('without JWT context, the issuer and audience become CloudFormation parameters', () => {
    const { services } = build({}, ['ingest']);
    const template = Template.fromStack(services.ingest as never);
    template.hasParameter('JwtIssuer', { Type: 'String', AllowedPattern: '^https://.+' });
    template.hasParameter('JwtAudience', { Type: 'CommaDelimitedList' });
  });

  it('another search index or embedding model moves the environment and the grants together', () => {
    const { services } = build(
      {
        vectorIndexName: 'assets-v2',
        bedrockEmbeddingModelId: 'amazon.titan-embed-image-v2',
        bedrockEmbeddingDimension: '384',
      },
      ['indexer'],
    );
    const template = Template.fromStack(services.indexer as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          VECTOR_INDEX_NAME: 'assets-v2',
          BEDROCK_EMBEDDING_MODEL_ID: 'amazon.titan-embed-image-v2',
          BEDROCK_EMBEDDING_DIMENSION: '384',
        }),
      },
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).toContain('/index/assets-v2');
    expect(json).not.toContain('/index/assets"');
    expect(json).toContain('::foundation-model/amazon.titan-embed-image-v2');
    expect(json).not.toContain('amazon.titan-embed-image-v1');
  });

  it('a stage renames every stack, resource and parameter path', () => {
    const { services } = build({ stage: 'prod' }, ['processor']);
    expect(services.processor?.stackName).toBe('Sluice-prod-ProcessorService');
    const template = Template.fromStack(services.processor as never);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'sluice-prod-processor' });
    template.hasParameter('IngestBucketName', { Default: '/sluice/prod/buckets/ingest/name' });
  });

  it('a custom domain raises the viewer TLS floor, and CFR4 needs no acknowledgement', () => {
    const { edge } = build(
      {
        edgeDomainName: 'files.example.com',
        edgeCertificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      },
      ['edge'],
    );
    Template.fromStack(edge as never).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['files.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    expect(unusedAcknowledgements(edge as never)).toEqual([]);
  });

  it('outside us-east-1 the edge stack reads the API host name, the function URL and the bucket across regions', () => {
    const { edge } = build({ region: 'eu-west-1' }, ['edge']);
    expect(edge?.region).toBe('us-east-1');
    const template = Template.fromStack(edge as never);
    const reads = resources(template, 'Custom::AWS').map(([, r]) => JSON.stringify(r.Properties.Create));
    expect(reads).toHaveLength(3);
    for (const parameter of [
      '/sluice/dev/services/ingest/http-api-domain',
      '/sluice/dev/services/delivery/function-url',
      '/sluice/dev/buckets/processed/name',
    ]) {
      expect(reads.filter((r) => r.includes(parameter) && r.includes('eu-west-1'))).toHaveLength(1);
    }
    // The stored variants origin is the bucket's endpoint in the home region.
    expect(JSON.stringify(template.toJSON())).toContain('.s3.eu-west-1.amazonaws.com');
    expect(unusedAcknowledgements(edge as never)).toEqual([]);
  });

  it('edgeDistributionId narrows CloudFront access to that one distribution', () => {
    const { foundation, services } = build({ edgeDistributionId: 'E2ABCDEF123456' }, [
      'foundation',
      'delivery',
    ]);
    const arn = 'arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/E2ABCDEF123456';
    const permissions = resources(Template.fromStack(services.delivery as never), 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(2);
    for (const [, p] of permissions) expect(render(p.Properties.SourceArn)).toBe(arn);
    const statements = resources(Template.fromStack(foundation as never), 'AWS::S3::BucketPolicy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement,
    );
    const cloudfront = statements.filter((st: Json) => st.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cloudfront.map((st: Json) => render(st.Condition.ArnLike['aws:SourceArn']))).toEqual([arn]);
  });

  it('without the edge, CloudFront gets nothing: no bucket policy statement, no invoke permission', () => {
    const { foundation, services, edge } = build({ edge: 'false' }, ['foundation', 'delivery', 'edge']);
    expect(edge).toBeUndefined();
    expect(resources(Template.fromStack(services.delivery as never), 'AWS::Lambda::Permission')).toEqual([]);
    expect(JSON.stringify(Template.fromStack(foundation as never).toJSON())).not.toContain(
      'cloudfront.amazonaws.com',
    );
  });

  it('a topology without an edge function URL has no delivery path: the edge fronts the API only', () => {
    const fixture = structuredClone(topology) as Topology;
    delete fixture.services.delivery;
    const { edge, foundation } = build({}, ['foundation', 'edge'], fixture);
    const config = resources(Template.fromStack(edge as never), 'AWS::CloudFront::Distribution')[0]?.[1]
      .Properties.DistributionConfig;
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.OriginGroups).toBeUndefined();
    expect(config.Origins).toHaveLength(1);
    expect(resources(Template.fromStack(edge as never), 'AWS::CloudFront::Function')).toEqual([]);
    expect(JSON.stringify(Template.fromStack(foundation as never).toJSON())).not.toContain(
      'cloudfront.amazonaws.com',
    );
    expect(unusedAcknowledgements(edge as never)).toEqual([]);
  });

  it('an edge function URL without an API still gets a distribution, its path the default behavior', () => {
    const fixture = structuredClone(topology) as Topology;
    for (const name of ['ingest']) delete fixture.services[name];
    const { edge } = build({}, ['edge'], fixture);
    const config = resources(Template.fromStack(edge as never), 'AWS::CloudFront::Distribution')[0]?.[1]
      .Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({ AllowedMethods: ['GET', 'HEAD'] });
    expect(config.OriginGroups.Quantity).toBe(1);
  });
});

describe('configuration and topology checks', () => {
  it('rejects bad context values', () => {
    expect(() => readConfig((k) => ({ stage: 'Prod!' })[k])).toThrow(/stage/);
    expect(() => readConfig((k) => ({ logRetentionDays: '31' })[k])).toThrow(/logRetentionDays/);
    expect(() => readConfig((k) => ({ archiveObjectLockMode: 'FOREVER' })[k])).toThrow(
      /GOVERNANCE or COMPLIANCE/,
    );
    expect(() => readConfig((k) => ({ edgeDomainName: 'x.example.com' })[k])).toThrow(/go together/);
    expect(() => readConfig((k) => ({ bedrockEmbeddingDimension: '512' })[k])).toThrow(/256, 384 or 1024/);
    expect(() => readConfig((k) => ({ vectorIndexName: 'Assets_1' })[k])).toThrow(/vectorIndexName/);
    expect(() =>
      readConfig((k) => ({ edgeDistributionId: 'arn:aws:cloudfront::1:distribution/E1' })[k]),
    ).toThrow(/edgeDistributionId/);
  });

  it('a visibility timeout under 6x the function timeout is refused', () => {
    const broken = structuredClone(topology) as Topology;
    const queue = broken.queues['processor-queue'];
    if (!queue) throw new Error('fixture');
    queue.visibilityTimeoutSeconds = 60;
    expect(() => validateTopology(broken)).toThrow(/under 6x the processor timeout/);
  });

  it('a service without an access entry is refused', () => {
    const broken = structuredClone(topology) as Topology;
    broken.services.extra = structuredClone(broken.services.indexer) as NonNullable<
      Topology['services'][string]
    >;
    expect(() => validateTopology(broken)).toThrow(/no entry in infra\/src\/access.ts/);
  });

  it('an edge reading a stored variants bucket needs the prefixes it may read (access.ts edgeReads)', () => {
    const broken = structuredClone(topology) as Topology;
    const delivery = broken.services.delivery;
    if (!delivery) throw new Error('fixture');
    (delivery.trigger as unknown as { edge: { storedVariantsBucket: string } }).edge.storedVariantsBucket =
      'nope';
    expect(() => validateTopology(broken)).toThrow(/storedVariantsBucket nope is not a bucket/);
  });

  it('the committed topology is deployable', () => {
    expect(() => validateTopology(topology)).not.toThrow();
  });
});
