import type { Topology } from '@sluice/contracts';
import { topology } from '@sluice/contracts';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildSluice } from '../src/app';
import { readConfig } from '../src/config';
import { storagePolicy } from '../src/storage-policy';
import { validateTopology } from '../src/topology';
import { type Json, resources, unusedAcknowledgements } from './helpers';

function build(context: Record<string, unknown>, only: string[]) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildSluice(app, { only });
  app.synth();
  return stacks;
}

describe('context options', () => {
  it('Object Lock on the archive bucket, and archive tiers for renditions', () => {
    const { foundation } = build(
      {
        archiveObjectLockMode: 'COMPLIANCE',
        archiveObjectLockDays: '400',
        processedArchiveAccessDays: '120',
        processedDeepArchiveAccessDays: '365',
      },
      ['foundation'],
    );
    const buckets = resources(Template.fromStack(foundation as never), 'AWS::S3::Bucket');
    const archive = buckets.find(([id]) => id.startsWith('ArchiveBucket'))?.[1] as Json;
    expect(archive.Properties.ObjectLockEnabled).toBe(true);
    expect(archive.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } },
    });
    const processed = buckets.find(([id]) => id.startsWith('ProcessedBucket'))?.[1] as Json;
    expect(processed.Properties.IntelligentTieringConfigurations).toEqual([
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

  it('without JWT context, the issuer and audience become CloudFormation parameters', () => {
    const { services } = build({}, ['ingest']);
    const template = Template.fromStack(services.ingest as never);
    template.hasParameter('JwtIssuer', { Type: 'String', AllowedPattern: '^https://.+' });
    template.hasParameter('JwtAudience', { Type: 'CommaDelimitedList' });
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

  it('outside us-east-1 the edge stack reads the API host name across regions', () => {
    const { edge } = build({ region: 'eu-west-1' }, ['edge']);
    expect(edge?.region).toBe('us-east-1');
    const template = Template.fromStack(edge as never);
    template.resourceCountIs('Custom::AWS', 1);
    expect(unusedAcknowledgements(edge as never)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).toContain('/sluice/dev/services/ingest/http-api-domain');
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
  });

  it('stale uploads must outlive the DLQs, or a redrive would find nothing', () => {
    const config = readConfig((k) => ({ staleUploadDays: '14' })[k]);
    expect(() => storagePolicy(topology, config)).toThrow(/longest DLQ retention/);
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

  it('the committed topology is deployable', () => {
    expect(() => validateTopology(topology)).not.toThrow();
  });
});
