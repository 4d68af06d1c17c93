import type { Topology } from '@sluice/contracts';
import { Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { SERVICE_ACCESS } from '../access';
import type { SluiceConfig } from '../config';
import { PipelineQueue } from '../constructs/pipeline-queue';
import { edgeDistributionArn } from '../grants';
import { acknowledgeCdkProvidedFunction } from '../nag';
import { type Names, pascal } from '../naming';
import {
  type BucketStoragePolicy,
  type LifecycleRule,
  storagePolicy,
  type TransitionStorageClass,
} from '../storage-policy';
import { consumerOf, edgeServicesOf } from '../topology';

export interface FoundationStackProps extends StackProps {
  config: SluiceConfig;
  names: Names;
  topology: Topology;
}

const S3_EVENT_TYPES = new Set<string>(Object.values(s3.EventType));

/**
 * What every service shares: the buckets, the SNS topics (with the key that encrypts them), the bucket
 * notifications, the alarm topic and the access-log bucket. Every name and ARN a service needs is
 * published as an SSM parameter; nothing is exported.
 */
export class FoundationStack extends Stack {
  readonly buckets: Record<string, s3.Bucket> = {};
  readonly topics: Record<string, sns.Topic> = {};
  readonly messagingKey: kms.Key;
  readonly alarmTopic: sns.Topic;
  readonly accessLogs: s3.Bucket;
  /** The search index's S3 Vectors vector bucket, when a topology service searches (src/search.ts). */
  readonly vectorBucket?: s3vectors.CfnVectorBucket;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, props);
    const { config, names, topology } = props;

    // SNS topics need a customer managed key: S3 and CloudWatch cannot publish to a topic encrypted with
    // the AWS managed aws/sns key. The queues use SQS-managed encryption (no key policy to maintain).
    this.messagingKey = new kms.Key(this, 'MessagingKey', {
      alias: `alias/sluice-${config.stage}-messaging`,
      description: 'Encrypts the Sluice SNS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    for (const service of ['s3.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.messagingKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow${pascal(service.split('.')[0] ?? service)}ToPublishToEncryptedTopics`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    this.accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED, // server access logging only delivers to SSE-S3 buckets
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(config.accessLogDays) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const policies = storagePolicy(topology, config);
    for (const [name, bucket] of Object.entries(topology.buckets)) {
      const policy = policies[name] as BucketStoragePolicy;
      this.buckets[name] = new s3.Bucket(this, `${pascal(name)}Bucket`, {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: policy.versioned,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `s3/${name}/`,
        lifecycleRules: (policy.lifecycleRules ?? []).map(toLifecycleRule),
        intelligentTieringConfigurations: policy.intelligentTiering?.length
          ? policy.intelligentTiering.map((c) => ({
              name: c.id,
              prefix: c.prefix,
              archiveAccessTierTime: days(c.archiveAccessDays),
              deepArchiveAccessTierTime: days(c.deepArchiveAccessDays),
            }))
          : undefined,
        objectLockEnabled: policy.objectLock?.enabled ? true : undefined,
        objectLockDefaultRetention: policy.objectLock?.enabled
          ? policy.objectLock.mode === 'COMPLIANCE'
            ? s3.ObjectLockRetention.compliance(Duration.days(policy.objectLock.retentionDays))
            : s3.ObjectLockRetention.governance(Duration.days(policy.objectLock.retentionDays))
          : undefined,
        // Browsers upload straight to the ingest bucket: the presigned POST the ingest API hands out, or
        // multipart part PUTs (Uppy), which must read each part's ETag to complete the upload.
        cors:
          name === 'ingest'
            ? [
                {
                  allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.PUT],
                  allowedOrigins: config.corsOrigins,
                  allowedHeaders: ['*'],
                  exposedHeaders: ['ETag', 'Location'],
                  maxAge: 600,
                },
              ]
            : undefined,
        // Data outlives the stack: `cdk destroy` leaves these buckets and their objects in place.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      new ssm.StringParameter(this, `${pascal(name)}BucketNameParam`, {
        parameterName: names.bucketNameParam(name),
        stringValue: this.buckets[name].bucketName,
        description: bucket.description,
      });
    }

    // The search index on AWS. CloudFormation names the bucket (a retained one would keep a fixed name
    // taken); the indexer creates the index in it on first use. Retained: CloudFormation can only
    // delete an empty vector bucket, and the vectors took Bedrock calls to make.
    if (Object.keys(topology.services).some((name) => SERVICE_ACCESS[name]?.search)) {
      const vectorBucket = new s3vectors.CfnVectorBucket(this, 'SearchVectorBucket', {
        encryptionConfiguration: { sseType: 'AES256' },
      });
      vectorBucket.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.vectorBucket = vectorBucket;
      // Ref is the ARN, arn:<partition>:s3vectors:<region>:<account>:bucket/<name>.
      new ssm.StringParameter(this, 'SearchVectorBucketNameParam', {
        parameterName: names.vectorBucketNameParam,
        stringValue: Fn.select(1, Fn.split('/', vectorBucket.attrVectorBucketArn)),
        description: 'S3 Vectors vector bucket of the search index',
      });
      new ssm.StringParameter(this, 'SearchVectorBucketArnParam', {
        parameterName: names.vectorBucketArnParam,
        stringValue: vectorBucket.attrVectorBucketArn,
        description: 'S3 Vectors vector bucket of the search index',
      });
    }

    // The edge reads stored variants straight from their bucket (CloudFront origin access control), and
    // only the prefixes its viewer-request function maps viewer paths to (access.ts edgeReads).
    if (config.edge) {
      for (const [service, edge] of edgeServicesOf(topology)) {
        const bucket = edge.storedVariantsBucket ? this.buckets[edge.storedVariantsBucket] : undefined;
        if (!bucket) continue;
        bucket.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `${pascal(service)}EdgeReadsStoredVariants`,
            principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
            actions: ['s3:GetObject'],
            resources: (SERVICE_ACCESS[service]?.edgeReads ?? []).map((prefix) =>
              bucket.arnForObjects(`${prefix}*`),
            ),
            conditions: {
              StringEquals: { 'aws:SourceAccount': this.account },
              ArnLike: { 'aws:SourceArn': edgeDistributionArn(this, config.edgeDistributionId) },
            },
          }),
        );
      }
    }

    for (const [name, topic] of Object.entries(topology.topics)) {
      this.topics[name] = new sns.Topic(this, `${pascal(name)}Topic`, {
        topicName: names.topic(name),
        displayName: topic.description.slice(0, 100),
        masterKey: this.messagingKey,
        enforceSSL: true,
      });
      new ssm.StringParameter(this, `${pascal(name)}TopicArnParam`, {
        parameterName: names.topicArnParam(name),
        stringValue: this.topics[name].topicArn,
        description: topic.description,
      });
    }

    for (const [name, bucket] of Object.entries(topology.buckets)) {
      for (const n of bucket.notifications) {
        const topic = this.topics[n.topic] as sns.Topic;
        const filter: s3.NotificationKeyFilter = { prefix: n.prefix, suffix: n.suffix };
        for (const event of n.events) {
          if (!S3_EVENT_TYPES.has(event)) throw new Error(`bucket ${name}: unknown S3 event type ${event}`);
          this.buckets[name]?.addEventNotification(
            event as s3.EventType,
            new s3n.SnsDestination(topic),
            filter,
          );
        }
      }
    }

    // A queue that no service consumes still belongs to the platform: it lives here.
    for (const [name, queue] of Object.entries(topology.queues)) {
      if (consumerOf(topology, name)) continue;
      new PipelineQueue(this, `${pascal(name)}Queue`, {
        names,
        name,
        queue,
        topicArn: (t) => this.topics[t]?.topicArn ?? '',
      });
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: names.alarmTopic,
      displayName: 'Sluice alarms',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(config.alarmEmail));
    new ssm.StringParameter(this, 'AlarmTopicArnParam', {
      parameterName: names.alarmTopicArnParam,
      stringValue: this.alarmTopic.topicArn,
    });
    new ssm.StringParameter(this, 'MessagingKeyArnParam', {
      parameterName: names.messagingKeyArnParam,
      stringValue: this.messagingKey.keyArn,
    });

    acknowledgeBucketNotificationsHandler(this);
  }
}

function days(n: number | undefined): Duration | undefined {
  return n === undefined ? undefined : Duration.days(n);
}

const STORAGE_CLASSES: Record<TransitionStorageClass, s3.StorageClass> = {
  STANDARD_IA: s3.StorageClass.INFREQUENT_ACCESS,
  ONEZONE_IA: s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS,
  INTELLIGENT_TIERING: s3.StorageClass.INTELLIGENT_TIERING,
  GLACIER_IR: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
  GLACIER: s3.StorageClass.GLACIER,
  DEEP_ARCHIVE: s3.StorageClass.DEEP_ARCHIVE,
};

function toLifecycleRule(rule: LifecycleRule): s3.LifecycleRule {
  return {
    id: rule.id,
    prefix: rule.prefix,
    expiration: days(rule.expirationDays),
    transitions: rule.transitions?.map((t) => ({
      storageClass: STORAGE_CLASSES[t.storageClass],
      transitionAfter: Duration.days(t.days),
    })),
    noncurrentVersionExpiration: days(rule.noncurrentVersionExpirationDays),
    noncurrentVersionsToRetain: rule.noncurrentVersionsToRetain,
    noncurrentVersionTransitions: rule.noncurrentVersionTransitions?.map((t) => ({
      storageClass: STORAGE_CLASSES[t.storageClass],
      transitionAfter: Duration.days(t.days),
    })),
    abortIncompleteMultipartUploadAfter: days(rule.abortIncompleteMultipartUploadDays),
    expiredObjectDeleteMarker: rule.expiredObjectDeleteMarker,
  };
}

/** CDK configures bucket notifications through a custom resource whose Lambda function it writes itself. */
function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
  // CDK writes it as a raw CfnResource, so only the IAM rule sees it.
  if (handler) {
    acknowledgeCdkProvidedFunction(handler, 'bucket-notifications', [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
  }
}
