import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { topology } from '@sluice/contracts';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
// What @sluice/search reads from its environment (a relative import: infra does not depend on it).
import { readSearchConfig } from '../../packages/search/src/config';
import { SERVICE_ACCESS } from '../src/access';
import { readConfig } from '../src/config';
import { Names, pascal } from '../src/naming';
import { storagePolicy } from '../src/storage-policy';
import {
  batchEnvironment,
  batchOperationsOf,
  bucketsOf,
  edgeServicesOf,
  functionUrlTriggerOf,
  httpTriggerOf,
  isSqsTrigger,
  REPO_ROOT,
} from '../src/topology';
import {
  type Json,
  nagFindings,
  render,
  resources,
  type Synthesized,
  synth,
  unusedAcknowledgements,
} from './helpers';

let s: Synthesized;
beforeAll(() => {
  s = synth({ jwtIssuer: 'https://issuer.example.com/', jwtAudience: 'sluice-web,sluice-cli' });
});

const sqsServices = Object.entries(topology.services).filter(([, svc]) => isSqsTrigger(svc.trigger));

describe('the whole app', () => {
  it('has a foundation stack, one stack per service, a dashboard and the edge', () => {
    const stacks = s.app.node.children.filter((c) => Stack.isStack(c));
    expect(stacks.map((c) => c.node.id).sort()).toEqual(
      [
        'Sluice-dev-Foundation',
        'Sluice-dev-Dashboard',
        'Sluice-dev-Edge',
        ...Object.keys(topology.services).map((n) => new Names('dev').serviceStack(n)),
        ...Object.keys(batchOperationsOf(topology)).map((n) => new Names('dev').batchOperationsStack(n)),
      ].sort(),
    );
  });

  it('passes the cdk-nag AwsSolutions and Serverless packs with every finding acknowledged', () => {
    expect(nagFindings(s.app)).toEqual([]);
  });

  it('acknowledges nothing that no finding needed', () => {
    expect(unusedAcknowledgements(s.app)).toEqual([]);
  });

  it('couples no stack to another: no exports, no imports; order-only dependencies on the foundation', () => {
    const services = Object.values(s.services);
    for (const stack of services) expect(stack.dependencies).toEqual([s.foundation]);
    expect(s.foundation?.dependencies).toEqual([]);
    expect(s.dashboard?.dependencies).toEqual([]);
    // The edge reads the API's host name, the delivery function URL and the stored variants bucket.
    expect(new Set(s.edge?.dependencies)).toEqual(
      new Set([s.services.ingest, s.services.delivery, s.foundation]),
    );
    for (const stack of Object.values(s.batchOperations)) expect(stack.dependencies).toEqual([s.foundation]);
    for (const stack of [
      s.foundation,
      s.dashboard,
      s.edge,
      ...services,
      ...Object.values(s.batchOperations),
    ]) {
      if (!stack) throw new Error('missing stack');
      const json = JSON.stringify(s.template(stack).toJSON());
      expect(json).not.toContain('Fn::ImportValue');
      expect(Object.values(s.template(stack).toJSON().Outputs ?? {}).filter((o: Json) => o.Export)).toEqual(
        [],
      );
    }
  });
});

describe('service functions', () => {
  it.each(Object.entries(topology.services))(
    '%s: nodejs22.x on arm64 with the topology memory and timeout',
    (name, svc) => {
      const template = s.template(s.services[name] as never);
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `sluice-dev-${name}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: svc.memoryMb,
        Timeout: svc.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: name,
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/sluice-dev-${name}`,
        RetentionInDays: 30,
      });
    },
  );

  it.each(Object.entries(topology.services))(
    '%s: every environment reference resolves to a foundation value',
    (name, svc) => {
      const [, fn] = resources(s.template(s.services[name] as never), 'AWS::Lambda::Function')[0] as [
        string,
        Json,
      ];
      const vars = fn.Properties.Environment.Variables;
      for (const [key, ref] of Object.entries(svc.environment)) {
        if ('bucket' in ref)
          expect(vars[key]).toEqual({
            Ref: `${ref.bucket[0]?.toUpperCase()}${ref.bucket.slice(1)}BucketName`,
          });
        else if ('topic' in ref) expect(render(vars[key])).toMatch(/^<[A-Za-z]+TopicArn>$/);
        else if ('value' in ref) expect(vars[key]).toBe(ref.value);
      }
      // Those parameters read SSM at deploy time.
      const params = s.template(s.services[name] as never).toJSON().Parameters;
      expect(params.IngestBucketName ?? params.ProcessedBucketName).toMatchObject({
        Type: 'AWS::SSM::Parameter::Value<String>',
      });
    },
  );

  it('the role of each function starts from nothing: no managed policies', () => {
    for (const stack of Object.values(s.services)) {
      for (const [, role] of resources(s.template(stack), 'AWS::IAM::Role')) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });
});

describe('queues', () => {
  it.each(sqsServices)(
    '%s: event source with ReportBatchItemFailures and the topology batch settings',
    (name, svc) => {
      if (!isSqsTrigger(svc.trigger)) throw new Error('not sqs');
      const template = s.template(s.services[name] as never);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: svc.trigger.batchSize,
        MaximumBatchingWindowInSeconds: svc.trigger.maxBatchingWindowSeconds,
        ScalingConfig: { MaximumConcurrency: svc.trigger.maximumConcurrency },
      });
    },
  );

  it.each(sqsServices)(
    '%s: queue with a DLQ, maxReceiveCount and a visibility timeout of at least 6x the timeout',
    (name, svc) => {
      const trigger = svc.trigger;
      if (!isSqsTrigger(trigger)) throw new Error('not sqs');
      const queue = topology.queues[trigger.queue];
      if (!queue) throw new Error('no queue');
      const template = s.template(s.services[name] as never);
      const queues = resources(template, 'AWS::SQS::Queue');
      const [main] = queues.filter(([, q]) => q.Properties.QueueName === `sluice-dev-${trigger.queue}`);
      const [dlq] = queues.filter(
        ([, q]) => q.Properties.QueueName === `sluice-dev-${queue.deadLetter.queue}`,
      );
      if (!main || !dlq) throw new Error('queues missing');
      expect(main[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * svc.timeoutSeconds);
      expect(main[1].Properties.VisibilityTimeout).toBe(queue.visibilityTimeoutSeconds);
      expect(main[1].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] },
        maxReceiveCount: queue.deadLetter.maxReceiveCount,
      });
      expect(dlq[1].Properties.MessageRetentionPeriod).toBe(queue.deadLetter.retentionSeconds);
      for (const [, q] of [main, dlq]) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      // Both queues refuse non-TLS requests.
      for (const [, policy] of resources(template, 'AWS::SQS::QueuePolicy')) {
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
      // The DLQ raises an alarm as soon as it holds a message, and it goes to the alarm topic.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq[0], 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: 'AlarmTopicArn' }],
      });
    },
  );

  it.each(sqsServices)(
    '%s: subscribed to its topics as the topology says, with the DLQ as SNS redrive target',
    (name, svc) => {
      if (!isSqsTrigger(svc.trigger)) throw new Error('not sqs');
      const queue = topology.queues[svc.trigger.queue];
      const template = s.template(s.services[name] as never);
      const subscriptions = resources(template, 'AWS::SNS::Subscription');
      expect(subscriptions).toHaveLength(queue?.subscriptions.length ?? -1);
      for (const sub of queue?.subscriptions ?? []) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'sqs',
          RawMessageDelivery: sub.rawMessageDelivery,
          RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
        });
      }
    },
  );
});

describe('least privilege', () => {
  /** Every S3 grant of a service as "action bucket/resource", from its role's policies. */
  function s3Grants(name: string): string[] {
    const template = s.template(s.services[name] as never);
    const grants: string[] = [];
    for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
      for (const st of policy.Properties.PolicyDocument.Statement) {
        const actions: string[] = [st.Action].flat();
        for (const action of actions.filter((a) => a.startsWith('s3:'))) {
          for (const r of [st.Resource].flat()) {
            const resource = render(r)
              .replace(/^arn:<AWS::Partition>:s3:::<([A-Z][a-z]+)BucketName>/, (_, b: string) =>
                b.toLowerCase(),
              )
              .replace(/^arn:.*/, 'OTHER');
            grants.push(`${action} ${resource}${st.Condition ? ` if ${JSON.stringify(st.Condition)}` : ''}`);
          }
        }
      }
    }
    return grants.sort();
  }

  const CREATE_ONLY = JSON.stringify({ Null: { 's3:if-none-match': 'false' } });

  /**
   * The expected grants, written out here independently of src/access.ts. A service only gets grants on
   * buckets its environment names, so each expectation is filtered the same way (the topology grows).
   */
  const EXPECTED: Record<string, string[]> = {
    ingest: [
      's3:GetObject ingest/uploads/*',
      's3:PutObject ingest/uploads/*',
      's3:ListMultipartUploadParts ingest/uploads/*',
      's3:AbortMultipartUpload ingest/uploads/*',
      's3:GetObject ingest/quarantine/*',
      // Receipts are claimed with a conditional write: PutObject only with If-None-Match.
      `s3:PutObject ingest/webhooks/* if ${CREATE_ONLY}`,
      's3:DeleteObject ingest/webhooks/*',
      's3:ListBucketMultipartUploads ingest',
      's3:GetObject processed/manifests/*',
      's3:GetObject processed/rejections/*',
      's3:GetObject processed/index/*',
      's3:GetObject processed/renditions/*',
      // The original: HEAD, a presigned download of the version HEAD saw, a restore when it is cold.
      's3:GetObject archive/originals/*',
      's3:GetObjectVersion archive/originals/*',
      's3:RestoreObject archive/originals/*',
      // HEADs of keys that moved on (uploaded then archived) must answer 404, not 403.
      's3:ListBucket ingest',
      's3:ListBucket processed',
      's3:ListBucket archive',
    ],
    'ingest-internal': [
      's3:GetObject ingest/uploads/*',
      's3:GetObjectTagging ingest/uploads/*',
      's3:PutObject ingest/uploads/*',
      's3:PutObjectTagging ingest/uploads/*',
      's3:GetObject ingest/quarantine/*',
      's3:GetObjectTagging ingest/quarantine/*',
      `s3:ListBucket ingest if {"StringLike":{"s3:prefix":["uploads/*","quarantine/*"]}}`,
      's3:GetObject archive/originals/*',
      's3:GetObjectTagging archive/originals/*',
      `s3:ListBucket archive if {"StringLike":{"s3:prefix":["originals/*"]}}`,
    ],
    processor: [
      's3:GetObject ingest/uploads/*',
      's3:DeleteObject ingest/uploads/*',
      's3:GetObjectTagging ingest/uploads/*',
      's3:PutObject ingest/quarantine/*',
      's3:DeleteObject ingest/quarantine/*',
      's3:PutObjectTagging ingest/quarantine/*',
      's3:ListBucket ingest',
      's3:GetObject processed/renditions/*',
      's3:PutObject processed/renditions/*',
      's3:DeleteObject processed/renditions/*',
      's3:GetObject processed/manifests/*',
      's3:PutObject processed/manifests/*',
      's3:ListBucket processed',
    ],
    indexer: [
      's3:GetObject processed/manifests/*',
      's3:GetObject processed/renditions/*',
      's3:GetObject processed/index/*',
      's3:PutObject processed/index/*',
      's3:DeleteObject processed/index/*',
      's3:ListBucket processed',
    ],
    archiver: [
      's3:GetObject processed/manifests/*',
      's3:ListBucket processed',
      's3:GetObject ingest/uploads/*',
      's3:DeleteObject ingest/uploads/*',
      's3:GetObjectTagging ingest/uploads/*',
      's3:ListBucket ingest',
      's3:GetObject archive/originals/*',
      's3:PutObject archive/originals/*',
      's3:PutObjectTagging archive/originals/*',
      's3:ListMultipartUploadParts archive/originals/*',
      's3:AbortMultipartUpload archive/originals/*',
      's3:ListBucket archive',
    ],
    delivery: [
      // Create-only: the public-facing function never replaces what the processor wrote.
      's3:GetObject processed/renditions/*',
      `s3:PutObject processed/renditions/* if ${CREATE_ONLY}`,
      's3:GetObject processed/variants/*',
      `s3:PutObject processed/variants/* if ${CREATE_ONLY}`,
      's3:GetObject processed/manifests/*',
      's3:ListBucket processed',
      's3:GetObject ingest/uploads/*',
      's3:ListBucket ingest',
      's3:GetObject archive/originals/*',
      's3:ListBucket archive',
    ],
  };

  it.each(Object.keys(topology.services))('%s gets exactly its S3 grants', (name) => {
    const known = bucketsOf(topology.services[name] as never);
    const expected = (EXPECTED[name] ?? ['(no expectation written for this service)']).filter((g) =>
      known.includes(g.split(' ')[1]?.split('/')[0] ?? ''),
    );
    expect(s3Grants(name)).toEqual(expected.sort());
  });

  it("only the archiver writes to the archive; deletes in processed are the writers' own", () => {
    for (const name of Object.keys(topology.services)) {
      const grants = s3Grants(name);
      // Others read it; ingest may also ask S3 for a temporary restored copy (no new object version).
      if (name !== 'archiver') {
        expect(
          grants.filter(
            (g) =>
              g.includes('archive/') &&
              !/^s3:Get/.test(g) &&
              !(name === 'ingest' && /^s3:RestoreObject /.test(g)),
          ),
        ).toEqual([]);
      }
      // Manifests and index documents are only ever removed by their writers' own rules: the processor
      // prunes renditions a newer upload no longer has, the indexer drops the document of a removed manifest.
      const deletes = grants.filter((g) => g.startsWith('s3:DeleteObject processed'));
      expect(deletes).toEqual(
        {
          processor: ['s3:DeleteObject processed/renditions/*'],
          indexer: ['s3:DeleteObject processed/index/*'],
        }[name] ?? [],
      );
      // Object wildcards only ever end a key prefix (bucket/prefix/*).
      const objectGrants = grants.filter((g) => !g.startsWith('s3:ListBucket'));
      expect(objectGrants.filter((g) => !/^s3:[A-Za-z]+ [a-z]+\/[a-z-]+\/\*( if \{.*\})?$/.test(g))).toEqual(
        [],
      );
    }
  });

  it('publishers get sns:Publish on their topics only, and the key that encrypts them', () => {
    for (const [name, svc] of Object.entries(topology.services)) {
      const topics = Object.values(svc.environment).flatMap((r) => ('topic' in r ? [r.topic] : []));
      const template = s.template(s.services[name] as never);
      const statements = resources(template, 'AWS::IAM::Policy').flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement,
      );
      const publish = statements.filter((st: Json) =>
        [st.Action].flat().some((a: string) => a.startsWith('sns:')),
      );
      if (topics.length === 0) {
        expect(publish).toEqual([]);
        continue;
      }
      expect(publish).toEqual([
        expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: 'PipelineEventsTopicArn' } }),
      ]);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: { Ref: 'MessagingKeyArn' },
        }),
      );
    }
  });

  it('only X-Ray holds a wildcard resource', () => {
    for (const stack of Object.values(s.services)) {
      for (const [, policy] of resources(s.template(stack), 'AWS::IAM::Policy')) {
        for (const st of policy.Properties.PolicyDocument.Statement) {
          if (st.Resource === '*')
            expect([st.Action].flat().every((a: string) => a.startsWith('xray:'))).toBe(true);
        }
      }
    }
  });

  it('every topology service has an access entry', () => {
    for (const name of Object.keys(topology.services)) expect(Object.keys(SERVICE_ACCESS)).toContain(name);
  });

  it('the redriver moves messages from the DLQs back into their queues, and nothing else', () => {
    for (const [name, svc] of Object.entries(topology.services)) {
      const queues = Object.values(svc.environment).flatMap((r) => ('queue' in r ? [r.queue] : []));
      if (queues.length === 0) continue;
      const template = s.template(s.services[name] as never);
      const statements = resources(template, 'AWS::IAM::Policy').flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement,
      );
      const sqs = statements.filter((st: Json) =>
        [st.Action].flat().some((a: string) => a.startsWith('sqs:')),
      );
      const resourcesOf = (action: string) =>
        sqs
          .filter((st: Json) => [st.Action].flat().includes(action))
          .flatMap((st: Json) => [st.Resource].flat().map((r: Json) => render(r).split(':').pop()));
      expect(resourcesOf('sqs:SendMessage').sort()).toEqual(queues.map((q) => `sluice-dev-${q}`).sort());
      expect(resourcesOf('sqs:ReceiveMessage').sort()).toEqual(
        queues.map((q) => `sluice-dev-${topology.queues[q]?.deadLetter.queue}`).sort(),
      );
    }
  });
});

describe('storage', () => {
  const bucket = (name: string): Json => {
    const template = s.template(s.foundation as never);
    const found = resources(template, 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith(`${name[0]?.toUpperCase()}${name.slice(1)}Bucket`),
    );
    if (!found) throw new Error(`no ${name} bucket`);
    return found[1];
  };

  it('every bucket blocks public access, is encrypted, logs access, and is retained on delete', () => {
    for (const name of Object.keys(topology.buckets)) {
      const b = bucket(name);
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect(b.Properties.LoggingConfiguration.LogFilePrefix).toBe(`s3/${name}/`);
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.UpdateReplacePolicy).toBe('Retain');
      expect(b.Properties.VersioningConfiguration?.Status === 'Enabled').toBe(
        topology.buckets[name]?.versioned,
      );
    }
    // TLS only (and TLS 1.2 at least) on every bucket.
    const policies = resources(s.template(s.foundation as never), 'AWS::S3::BucketPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(Object.keys(topology.buckets).length + 1);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it("each bucket carries exactly its storage policy (the topology's, or the defaults)", () => {
    const policies = storagePolicy(
      topology,
      readConfig(() => undefined),
    );
    for (const name of Object.keys(topology.buckets)) {
      const rules = bucket(name).Properties.LifecycleConfiguration.Rules as Json[];
      expect(rules.map((r) => r.Id)).toEqual((policies[name]?.lifecycleRules ?? []).map((r) => r.id));
      for (const r of rules) expect(r.Status).toBe('Enabled');
    }
  });

  it('every bucket aborts incomplete multipart uploads', () => {
    for (const name of Object.keys(topology.buckets)) {
      const rules = bucket(name).Properties.LifecycleConfiguration.Rules as Json[];
      expect(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation > 0 && !r.Prefix)).toBe(
        true,
      );
    }
  });

  it('processed: everything moves to Intelligent-Tiering on day 0', () => {
    expect(bucket('processed').Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({
        Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }],
      }),
    );
  });

  it('ingest: quarantined files and webhook receipts expire', () => {
    const rules = bucket('ingest').Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'quarantine/', ExpirationInDays: expect.any(Number) }),
    );
    // Receipts guard a replay window of minutes; they go after a day.
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'webhooks/', ExpirationInDays: 1 }));
  });

  it('archive: versioned, noncurrent versions expire, no Object Lock unless asked', () => {
    const b = bucket('archive');
    expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) },
        ExpiredObjectDeleteMarker: true,
      }),
    );
    expect(b.Properties.ObjectLockEnabled).toBeUndefined();
  });

  it('bucket notifications follow the topology', () => {
    const template = s.template(s.foundation as never);
    const notifications = resources(template, 'Custom::S3BucketNotifications');
    expect(notifications).toHaveLength(
      Object.values(topology.buckets).filter((b) => b.notifications.length > 0).length,
    );
    const all = JSON.stringify(notifications);
    for (const b of Object.values(topology.buckets)) {
      for (const n of b.notifications) {
        if (n.prefix) expect(all).toContain(`{"Name":"prefix","Value":"${n.prefix}"}`);
        if (n.suffix) expect(all).toContain(`{"Name":"suffix","Value":"${n.suffix}"}`);
      }
    }
  });

  it('topics are encrypted with the rotating messaging key and refuse non-TLS publishing', () => {
    const template = s.template(s.foundation as never);
    const topics = resources(template, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(Object.keys(topology.topics).length + 1); // + alarms
    for (const [, topic] of topics)
      expect(topic.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^MessagingKey/), 'Arn'],
      });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const [, policy] of resources(template, 'AWS::SNS::TopicPolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('publishes every bucket name and topic ARN to SSM for the service stacks', () => {
    const template = s.template(s.foundation as never);
    const names = resources(template, 'AWS::SSM::Parameter').map(([, p]) => p.Properties.Name);
    for (const b of Object.keys(topology.buckets)) expect(names).toContain(`/sluice/dev/buckets/${b}/name`);
    for (const t of Object.keys(topology.topics)) expect(names).toContain(`/sluice/dev/topics/${t}/arn`);
    expect(names).toEqual(
      expect.arrayContaining(['/sluice/dev/keys/messaging/arn', '/sluice/dev/topics/alarms/arn']),
    );
  });
});

describe('ingress', () => {
  const http = httpTriggerOf(topology.services.ingest?.trigger as never);

  it('the HTTP API has the topology routes behind the JWT authorizer (public only where the topology says)', () => {
    const template = s.template(s.services.ingest as never);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['sluice-web', 'sluice-cli'] },
    });
    const routes = resources(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...(http?.routes ?? [])].sort());
    for (const r of routes) {
      const isPublic = http?.routeSettings?.[r.RouteKey]?.authorization === 'none';
      expect(r.AuthorizationType).toBe(isPublic ? 'NONE' : 'JWT');
    }
  });

  it('the HTTP API stage logs every request as JSON and is throttled', () => {
    const template = s.template(s.services.ingest as never);
    const throttling = http?.throttling ?? { burstLimit: 100, rateLimit: 50 };
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: {
        ThrottlingBurstLimit: throttling.burstLimit,
        ThrottlingRateLimit: throttling.rateLimit,
      },
    });
    const [, stage] = resources(template, 'AWS::ApiGatewayV2::Stage')[0] as [string, Json];
    expect(() => JSON.parse(stage.Properties.AccessLogSettings.Format)).not.toThrow();
    for (const [route, setting] of Object.entries(http?.routeSettings ?? {})) {
      if (!setting.throttling) continue;
      expect(stage.Properties.RouteSettings[route]).toEqual({
        ThrottlingBurstLimit: setting.throttling.burstLimit,
        ThrottlingRateLimit: setting.throttling.rateLimit,
      });
    }
  });

  it('function-url services get their URL as the topology declares it; the HTTP API function has none', () => {
    const withUrl = Object.entries(topology.services).flatMap(([name, svc]) => {
      const trigger = functionUrlTriggerOf(svc.trigger);
      return trigger ? [[name, trigger] as const] : [];
    });
    expect(withUrl.map(([name]) => name)).toContain('ingest-internal');
    for (const [name, trigger] of withUrl) {
      const urls = resources(s.template(s.services[name] as never), 'AWS::Lambda::Url');
      expect(urls).toHaveLength(1);
      expect(urls[0]?.[1].Properties).toMatchObject({
        AuthType: trigger.authType,
        InvokeMode: trigger.invokeMode ?? 'BUFFERED',
      });
    }
    // ingest-internal is the internal API: IAM auth, nothing else.
    s.template(s.services['ingest-internal'] as never).hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
    });
    // The HTTP API's function is reached through the API only (no extra internal URL on it).
    const apiFunctions = Object.entries(topology.services).filter(([, svc]) => httpTriggerOf(svc.trigger));
    expect(apiFunctions.length).toBeGreaterThan(0);
    for (const [name] of apiFunctions) {
      expect(resources(s.template(s.services[name] as never), 'AWS::Lambda::Url')).toEqual([]);
    }
  });

  it('browsers may call the API (Uppy included) and upload straight to the ingest bucket', () => {
    const template = s.template(s.services.ingest as never);
    const [, api] = resources(template, 'AWS::ApiGatewayV2::Api')[0] as [string, Json];
    const cors = api.Properties.CorsConfiguration;
    expect(cors.AllowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
    expect(cors.AllowHeaders).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'uppy-versions']),
    );
    expect(cors.AllowOrigins).toEqual(['*']);
    const ingest = resources(s.template(s.foundation as never), 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('IngestBucket'),
    )?.[1];
    expect(ingest?.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({
        AllowedMethods: expect.arrayContaining(['POST', 'PUT']),
        ExposedHeaders: expect.arrayContaining(['ETag']),
        AllowedOrigins: ['*'],
      }),
    ]);
  });

  it('CloudFront and WAF (managed rules and a rate-based rule) sit in front of the API, in us-east-1', () => {
    const edge = s.edge;
    if (!edge) throw new Error('no edge stack');
    expect(edge.region).toBe('us-east-1');
    const template = s.template(edge);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
              // Bodies over 8 KB (webhooks, multipart completions) are counted, not blocked.
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            },
          },
        }),
        Match.objectLike({
          Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
          Action: { Block: {} },
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] },
        Logging: Match.anyValue(),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
        Origins: Match.arrayWith([Match.objectLike({ DomainName: { Ref: 'IngestHttpApiDomain' } })]),
      }),
    });
  });
});

describe('delivery through the edge', () => {
  const edgeServices = edgeServicesOf(topology);
  const distribution = (): Json =>
    (resources(s.template(s.edge as never), 'AWS::CloudFront::Distribution')[0] as [string, Json])[1]
      .Properties.DistributionConfig;
  const viewerRequest = (file: string) =>
    vm.runInNewContext(`${readFileSync(join(REPO_ROOT, file), 'utf8')}\n;handler`, {}) as (
      event: Json,
    ) => Json;
  const ASSET = '0b6f1a52-3c1e-4a8e-9a44-5b3b0f6c2d11';

  it('the topology puts delivery behind the edge, its URL streaming with IAM auth', () => {
    expect(edgeServices.map(([name]) => name)).toEqual(['delivery']);
    const trigger = functionUrlTriggerOf(topology.services.delivery?.trigger as never);
    expect(trigger?.invokeMode).toBe('RESPONSE_STREAM');
    s.template(s.services.delivery as never).hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  it.each(edgeServices)(
    '%s: stored variants first (origin access control), the function URL on 403/404, GET and HEAD only',
    (name, edge) => {
      const config = distribution();
      const template = s.template(s.edge as never);
      const oacs = Object.fromEntries(
        resources(template, 'AWS::CloudFront::OriginAccessControl').map(([id, r]) => [
          id,
          r.Properties.OriginAccessControlConfig,
        ]),
      );
      const origins = Object.fromEntries(config.Origins.map((o: Json) => [o.Id, o]));
      for (const pattern of edge.pathPatterns) {
        const behavior = config.CacheBehaviors.find((b: Json) => b.PathPattern === pattern);
        expect(behavior).toMatchObject({
          AllowedMethods: ['GET', 'HEAD'],
          CachedMethods: ['GET', 'HEAD'],
          ViewerProtocolPolicy: 'https-only',
        });
        const group = config.OriginGroups.Items.find((g: Json) => g.Id === behavior.TargetOriginId);
        expect(group.FailoverCriteria.StatusCodes.Items.sort()).toEqual([403, 404]);
        const [primary, fallback] = group.Members.Items.map((m: Json) => origins[m.OriginId]);
        // Primary: the stored variants bucket, read-only through an S3 origin access control.
        expect(render(primary.DomainName)).toBe(
          `<${pascal(edge.storedVariantsBucket ?? '')}BucketName>.s3.${s.config.region}.amazonaws.com`,
        );
        expect(primary.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
        expect(oacs[primary.OriginAccessControlId['Fn::GetAtt'][0]]).toMatchObject({
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        });
        // Fallback: the function URL's host, signed by a Lambda origin access control.
        expect(fallback.DomainName).toEqual({
          'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: `${pascal(name)}FunctionUrl` }] }],
        });
        expect(fallback.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
        expect(oacs[fallback.OriginAccessControlId['Fn::GetAtt'][0]]).toMatchObject({
          OriginAccessControlOriginType: 'lambda',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        });
      }
      // The whole distribution, /v/* included, sits behind the web ACL.
      expect(config.WebACLId).toEqual({ 'Fn::GetAtt': ['WebAcl', 'Arn'] });
    },
  );

  it.each(edgeServices)(
    '%s: cached by Accept (format=auto) and the query; the viewer function runs first',
    (name, edge) => {
      const config = distribution();
      const template = s.template(s.edge as never);
      const behavior = config.CacheBehaviors.find((b: Json) => b.PathPattern === edge.pathPatterns[0]);
      const policy = template.toJSON().Resources[behavior.CachePolicyId.Ref].Properties.CachePolicyConfig;
      expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Accept'] },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
        CookiesConfig: { CookieBehavior: 'none' },
      });
      const [association] = behavior.FunctionAssociations;
      expect(association.EventType).toBe('viewer-request');
      const fn = template.toJSON().Resources[association.FunctionARN['Fn::GetAtt'][0]].Properties;
      expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(fn.Name).toBe(`sluice-dev-${name}-viewer-request`);
      expect(fn.FunctionCode).toBe(readFileSync(join(REPO_ROOT, edge.viewerRequestFunction ?? ''), 'utf8'));
    },
  );

  it.each(edgeServices)(
    '%s: CloudFront may read exactly the keys its viewer function maps presets to, nothing else',
    (name, edge) => {
      const readable = SERVICE_ACCESS[name]?.edgeReads ?? [];
      const handler = viewerRequest(edge.viewerRequestFunction ?? '');
      const mapped = (uri: string, querystring: Json = {}) =>
        handler({ request: { uri, querystring, headers: { accept: { value: 'image/avif,*/*' } } } })
          .uri as string;
      const inBucket = (uri: string) => readable.some((prefix) => uri.startsWith(`/${prefix}`));
      // A preset URL is served from storage; format=auto and signed transforms go to the function.
      expect(inBucket(mapped(`/v/${ASSET}/thumb.webp`))).toBe(true);
      expect(inBucket(mapped(`/v/${ASSET}/thumb.auto`))).toBe(false);
      expect(inBucket(mapped(`/v/${ASSET}`, { w: { value: '300' }, sig: { value: 'x' } }))).toBe(false);
      // The bucket policy opens those prefixes to CloudFront, read-only, from this account's distribution.
      const statements = resources(s.template(s.foundation as never), 'AWS::S3::BucketPolicy').flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement,
      );
      const cloudfront = statements.filter(
        (st: Json) => st.Principal?.Service === 'cloudfront.amazonaws.com',
      );
      expect(cloudfront).toHaveLength(1);
      expect(cloudfront[0]).toMatchObject({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': expect.anything() },
        },
      });
      expect(render(cloudfront[0].Condition.ArnLike['aws:SourceArn'])).toBe(
        'arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*',
      );
      expect(
        [cloudfront[0].Resource].flat().map((r: Json) => render(r).replace(/^<[A-Za-z0-9.]+>/, '')),
      ).toEqual(readable.map((prefix) => `/${prefix}*`));
      expect(render([cloudfront[0].Resource].flat()[0])).toMatch(
        new RegExp(`^<${pascal(edge.storedVariantsBucket ?? '')}Bucket[A-Z0-9]*\\.Arn>/`),
      );
    },
  );

  it.each(edgeServices)(
    '%s: CloudFront, and only CloudFront of this account, invokes the function URL',
    (name) => {
      const permissions = resources(s.template(s.services[name] as never), 'AWS::Lambda::Permission').map(
        ([, p]) => p.Properties,
      );
      expect(permissions.map((p) => p.Action).sort()).toEqual([
        'lambda:InvokeFunction',
        'lambda:InvokeFunctionUrl',
      ]);
      for (const p of permissions) {
        expect(p.Principal).toBe('cloudfront.amazonaws.com');
        expect(p.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
        expect(render(p.SourceArn)).toBe('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*');
      }
      expect(permissions.find((p) => p.Action === 'lambda:InvokeFunction')?.InvokedViaFunctionUrl).toBe(true);
    },
  );

  it('delivery reads its signing keys secret, and no other secret', () => {
    const ref = topology.services.delivery?.environment.DELIVERY_SIGNING_KEYS_SECRET_ID;
    if (!ref || !('value' in ref)) throw new Error('delivery names no signing keys secret');
    const secretId = ref.value;
    for (const [name] of Object.entries(topology.services)) {
      const statements = resources(s.template(s.services[name] as never), 'AWS::IAM::Policy').flatMap(
        ([, p]) => p.Properties.PolicyDocument.Statement,
      );
      const secrets = statements.filter((st: Json) =>
        [st.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
      );
      if (name !== 'delivery') {
        expect(secrets).toEqual([]);
        continue;
      }
      expect(secrets.map((st: Json) => [st.Action, [st.Resource].flat().map(render)])).toEqual([
        [
          'secretsmanager:GetSecretValue',
          [
            `arn:<AWS::Partition>:secretsmanager:${s.config.region}:<AWS::AccountId>:secret:${secretId}-??????`,
          ],
        ],
      ]);
    }
  });
});

describe('search on AWS (S3 Vectors + Bedrock)', () => {
  const searching = Object.keys(topology.services).filter((n) => SERVICE_ACCESS[n]?.search);
  const statementsOf = (name: string): Json[] =>
    resources(s.template(s.services[name] as never), 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement,
    );

  it('the foundation creates the vector bucket (SSE-S3, retained) and publishes its name and ARN', () => {
    const template = s.template(s.foundation as never);
    const buckets = resources(template, 'AWS::S3Vectors::VectorBucket');
    expect(buckets).toHaveLength(1);
    const [id, bucket] = buckets[0] as [string, Json];
    expect(bucket.Properties.EncryptionConfiguration).toEqual({ SseType: 'AES256' });
    expect(bucket.DeletionPolicy).toBe('Retain');
    const params = Object.fromEntries(
      resources(template, 'AWS::SSM::Parameter').map(([, p]) => [p.Properties.Name, p.Properties.Value]),
    );
    expect(params['/sluice/dev/vector-buckets/search/arn']).toEqual({
      'Fn::GetAtt': [id, 'VectorBucketArn'],
    });
    expect(params['/sluice/dev/vector-buckets/search/name']).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [id, 'VectorBucketArn'] }] }],
    });
  });

  it('the indexer writes the index and ingest reads it', () => {
    expect(searching.sort()).toEqual(['indexer', 'ingest']);
  });

  it.each(searching)('%s gets the search environment that @sluice/search reads', (name) => {
    const [, fn] = resources(s.template(s.services[name] as never), 'AWS::Lambda::Function')[0] as [
      string,
      Json,
    ];
    const vars = fn.Properties.Environment.Variables;
    expect(vars).toMatchObject({
      SEARCH_BACKEND: 's3vectors',
      VECTOR_BUCKET_NAME: { Ref: 'SearchVectorBucketName' },
      VECTOR_INDEX_NAME: 'assets',
      SEARCH_EMBEDDER: 'bedrock',
      BEDROCK_EMBEDDING_MODEL_ID: 'amazon.titan-embed-image-v1',
      BEDROCK_EMBEDDING_DIMENSION: '1024',
    });
    // The library's own reading of that environment (the bucket name is a deploy-time value).
    const config = readSearchConfig({
      ...vars,
      VECTOR_BUCKET_NAME: 'sluice-vectors',
      AWS_REGION: 'eu-west-1',
    });
    expect(config).toMatchObject({
      backend: 's3vectors',
      vectorBucketName: 'sluice-vectors',
      indexName: 'assets',
      embedder: { kind: 'bedrock', modelId: 'amazon.titan-embed-image-v1', dimension: 1024 },
    });
  });

  it.each(searching)('%s: S3 Vectors actions on its one index and InvokeModel on its model only', (name) => {
    const statements = statementsOf(name);
    const vectors = statements.filter((st) =>
      [st.Action].flat().some((a: string) => a.startsWith('s3vectors:')),
    );
    expect(vectors).toHaveLength(1);
    expect([vectors[0].Resource].flat().map(render)).toEqual(['<SearchVectorBucketArn>/index/assets']);
    expect([vectors[0].Action].flat().sort()).toEqual(
      (name === 'indexer'
        ? [
            's3vectors:GetIndex',
            's3vectors:CreateIndex',
            's3vectors:ListTagsForResource',
            's3vectors:TagResource',
            's3vectors:PutVectors',
            's3vectors:GetVectors',
            's3vectors:DeleteVectors',
            's3vectors:ListVectors',
          ]
        : [
            's3vectors:GetIndex',
            's3vectors:ListTagsForResource',
            's3vectors:QueryVectors',
            's3vectors:GetVectors',
            's3vectors:ListVectors',
          ]
      ).sort(),
    );
    const bedrock = statements.filter((st) =>
      [st.Action].flat().some((a: string) => a.startsWith('bedrock:')),
    );
    expect(bedrock.map((st) => [[st.Action].flat(), [st.Resource].flat().map(render)])).toEqual([
      [
        ['bedrock:InvokeModel'],
        [
          `arn:<AWS::Partition>:bedrock:${s.services[name]?.region}::foundation-model/amazon.titan-embed-image-v1`,
        ],
      ],
    ]);
  });

  it('no other service touches the index or Bedrock', () => {
    for (const name of Object.keys(topology.services).filter((n) => !searching.includes(n))) {
      expect(JSON.stringify(statementsOf(name))).not.toMatch(/s3vectors:|bedrock:/);
    }
  });
});

describe('S3 Batch Operations functions', () => {
  const batch = Object.entries(batchOperationsOf(topology));

  it.each(batch)(
    "%s: the function runs with its environmentFrom service's environment plus its own",
    (name, spec) => {
      const template = s.template(s.batchOperations[name] as never);
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `sluice-dev-${name}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
      });
      const [, fn] = resources(template, 'AWS::Lambda::Function')[0] as [string, Json];
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(Object.keys(batchEnvironment(topology, spec))),
      );
    },
  );

  it.each(batch)(
    '%s: jobs assume a role that invokes the function and writes reports under the prefix only',
    (name, spec) => {
      const template = s.template(s.batchOperations[name] as never);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'batchoperations.s3.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ],
        },
      });
      const statements = resources(template, 'AWS::IAM::Policy')
        .filter(([id]) => id.startsWith('JobRole'))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      const rendered = statements.map(
        (st: Json) => `${[st.Action].flat().join(',')} ${[st.Resource].flat().map(render).join(',')}`,
      );
      expect(rendered).toContainEqual(expect.stringMatching(/^lambda:InvokeFunction <Function.*\.Arn>$/));
      expect(rendered).toContainEqual(
        `s3:GetObject,s3:GetObjectVersion,s3:PutObject arn:<AWS::Partition>:s3:::<${spec.reportBucket[0]?.toUpperCase()}${spec.reportBucket.slice(1)}BucketName>/${spec.reportPrefix}*`,
      );
      const ssm = resources(template, 'AWS::SSM::Parameter').map(([, p]) => p.Properties.Name);
      expect(ssm).toEqual(
        expect.arrayContaining([
          `/sluice/dev/services/${name}/function-arn`,
          `/sluice/dev/batch-operations/${name}/job-role-arn`,
        ]),
      );
    },
  );

  it("reprocess gets the processor's grants plus reading archived originals", () => {
    if (!s.batchOperations.reprocess) return; // a topology without batchOperations
    const grants = resources(s.template(s.batchOperations.reprocess), 'AWS::IAM::Policy')
      .filter(([id]) => !id.startsWith('JobRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((st: Json) => [st.Action].flat().some((a: string) => a.startsWith('s3:')))
      .flatMap((st: Json) =>
        [st.Action]
          .flat()
          .flatMap((a: string) =>
            [st.Resource]
              .flat()
              .map(
                (r: Json) =>
                  `${a} ${render(r).replace(/^arn:<AWS::Partition>:s3:::<([A-Z][a-z]+)BucketName>/, (_, b: string) => b.toLowerCase())}`,
              ),
          ),
      )
      .sort();
    expect(grants).toEqual(
      [
        's3:GetObject ingest/uploads/*',
        's3:DeleteObject ingest/uploads/*',
        's3:GetObjectTagging ingest/uploads/*',
        's3:PutObject ingest/quarantine/*',
        's3:DeleteObject ingest/quarantine/*',
        's3:PutObjectTagging ingest/quarantine/*',
        's3:GetObject archive/originals/*',
        's3:GetObjectTagging archive/originals/*',
        's3:GetObject processed/renditions/*',
        's3:PutObject processed/renditions/*',
        's3:DeleteObject processed/renditions/*',
        's3:GetObject processed/manifests/*',
        's3:PutObject processed/manifests/*',
        's3:ListBucket ingest',
        's3:ListBucket processed',
        's3:ListBucket archive',
      ].sort(),
    );
  });
});

describe('dashboard', () => {
  it('has Logs Insights queries over the Powertools fields and queue, DLQ and Lambda metrics', () => {
    const template = s.template(s.dashboard as never);
    const [, dashboard] = resources(template, 'AWS::CloudWatch::Dashboard')[0] as [string, Json];
    const body = render(dashboard.Properties.DashboardBody);
    for (const field of ['assetId', 'stage', 'outcome', 'durationMs', 'service', 'reason'])
      expect(body).toContain(field);
    expect(body).toContain('"type":"log"');
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Errors',
      'Throttles',
    ]) {
      expect(body).toContain(metric);
    }
    for (const q of Object.values(topology.queues))
      expect(body).toContain(`sluice-dev-${q.deadLetter.queue}`);
    for (const svc of Object.keys(topology.services)) expect(body).toContain(`/aws/lambda/sluice-dev-${svc}`);
  });
});
