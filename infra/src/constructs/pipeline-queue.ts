import type { TopologyQueue } from '@sluice/contracts';
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type Names, pascal } from '../naming';

export interface PipelineQueueProps {
  names: Names;
  /** The queue's logical name in the topology. */
  name: string;
  queue: TopologyQueue;
  /** Resolves a topology topic to its ARN (an SSM-backed parameter in service stacks). */
  topicArn: (topic: string) => string;
  /** Where the alarms go; no alarms without it. */
  alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * A topology queue with its dead-letter queue, its SNS subscriptions (raw delivery and filter policy
 * exactly as the topology says), alarms on the DLQ and on the age of the oldest message, and SSM
 * parameters with both queues' URLs and ARNs (the DLQ tooling finds them there).
 */
export class PipelineQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineQueueProps) {
    super(scope, id);
    const { names, name, queue } = props;
    const dlqName = queue.deadLetter.queue;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: names.queue(dlqName),
      retentionPeriod: Duration.seconds(queue.deadLetter.retentionSeconds),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: names.queue(name),
      visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(queue.retentionSeconds),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queue.deadLetter.maxReceiveCount },
    });

    queue.subscriptions.forEach((subscription, index) => {
      const topicArn = props.topicArn(subscription.topic);
      new sns.CfnSubscription(this, `Subscription${pascal(subscription.topic)}${index || ''}`, {
        topicArn,
        protocol: 'sqs',
        endpoint: this.queue.queueArn,
        rawMessageDelivery: subscription.rawMessageDelivery,
        filterPolicy: subscription.filterPolicy,
        filterPolicyScope: subscription.filterPolicy
          ? (subscription.filterPolicyScope ?? 'MessageAttributes')
          : undefined,
        // A message SNS cannot deliver (queue policy, throttling) lands in the same DLQ, in the same shape the
        // queue would have received, so one redrive brings it back.
        redrivePolicy: { deadLetterTargetArn: this.deadLetterQueue.queueArn },
      });
      for (const target of [this.queue, this.deadLetterQueue]) {
        target.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `AllowSns${pascal(subscription.topic)}`,
            principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [target.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
          }),
        );
      }
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue: its messages stay here for inspection and redrive.',
    });

    for (const [queueName, q] of [
      [name, this.queue],
      [dlqName, this.deadLetterQueue],
    ] as const) {
      new ssm.StringParameter(this, `${pascal(queueName)}UrlParam`, {
        parameterName: names.queueUrlParam(queueName),
        stringValue: q.queueUrl,
      });
      new ssm.StringParameter(this, `${pascal(queueName)}ArnParam`, {
        parameterName: names.queueArnParam(queueName),
        stringValue: q.queueArn,
      });
    }

    if (props.alarmAction) {
      const dlqAlarm = this.deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, 'DeadLetterAlarm', {
          alarmName: `${names.queue(dlqName)}-not-empty`,
          alarmDescription: `Messages in ${dlqName}: records failed ${queue.deadLetter.maxReceiveCount} times. Inspect and redrive them.`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      // Older than a few visibility timeouts means the consumer is not keeping up (or not running).
      const ageThreshold = Math.max(900, 3 * queue.visibilityTimeoutSeconds);
      const ageAlarm = this.queue
        .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, 'OldestMessageAlarm', {
          alarmName: `${names.queue(name)}-backlog-age`,
          alarmDescription: `The oldest message in ${name} waited over ${ageThreshold}s.`,
          threshold: ageThreshold,
          evaluationPeriods: 5,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      for (const alarm of [dlqAlarm, ageAlarm]) {
        alarm.addAlarmAction(props.alarmAction);
        this.alarms.push(alarm);
      }
    }
  }
}
