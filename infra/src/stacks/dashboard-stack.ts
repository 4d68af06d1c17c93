import type { Topology } from '@sluice/contracts';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { Names } from '../naming';
import { httpTriggerOf } from '../topology';

export interface DashboardStackProps extends StackProps {
  names: Names;
  topology: Topology;
}

/**
 * Logs Insights queries over the fields every pipeline log line carries (service, stage, outcome,
 * assetId, durationMs, reason: packages/runtime/src/logger.ts), beside queue, DLQ and Lambda metrics.
 * It refers to log groups, queues and functions by their deterministic names only, so it depends on no
 * other stack and shows whatever part of the platform is deployed.
 */
export const PIPELINE_QUERIES = {
  throughput: ['filter ispresent(stage) and ispresent(outcome)', 'stats count(*) as records by bin(5m)'],
  byOutcome: [
    'filter ispresent(stage) and ispresent(outcome)',
    'stats count(*) as records by service, stage, outcome',
    'sort service, stage, outcome',
  ],
  failures: ['filter outcome = "failed"', 'stats count(*) as failures by bin(5m)'],
  latency: [
    'filter ispresent(stage) and ispresent(durationMs)',
    'stats count(*) as records, avg(durationMs) as avgMs, pct(durationMs, 50) as p50Ms, pct(durationMs, 95) as p95Ms, pct(durationMs, 99) as p99Ms, max(durationMs) as maxMs by service, stage',
    'sort p95Ms desc',
  ],
  rejections: [
    'filter outcome = "rejected"',
    'stats count(*) as rejections by reason, service, stage',
    'sort rejections desc',
  ],
  httpRequests: [
    'stats count(*) as requests, pct(responseLatency, 50) as p50Ms, pct(responseLatency, 95) as p95Ms by routeKey, status',
    'sort requests desc',
  ],
  latestFailures: [
    'filter outcome = "failed" or level = "ERROR"',
    'fields @timestamp, service, stage, assetId, message, error.message',
    'sort @timestamp desc',
    'limit 50',
  ],
} as const;

export class DashboardStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardStackProps) {
    super(scope, id, props);
    const { names, topology } = props;
    const services = Object.keys(topology.services);
    const logGroupNames = services.map((s) => names.logGroup(s));
    const query = (
      title: string,
      lines: readonly string[],
      view: cloudwatch.LogQueryVisualizationType,
      width = 12,
    ) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames, queryLines: [...lines], view, width, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Sluice ${names.stage}: pipeline\nLogs Insights over the Powertools fields (service, stage, outcome, durationMs, reason, assetId); queue, DLQ and Lambda metrics below.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      query(
        'Records processed (all stages)',
        PIPELINE_QUERIES.throughput,
        cloudwatch.LogQueryVisualizationType.LINE,
        8,
      ),
      query('Failed records', PIPELINE_QUERIES.failures, cloudwatch.LogQueryVisualizationType.LINE, 8),
      query(
        'Rejections by reason',
        PIPELINE_QUERIES.rejections,
        cloudwatch.LogQueryVisualizationType.TABLE,
        8,
      ),
    );
    this.dashboard.addWidgets(
      query(
        'Records by service, stage and outcome',
        PIPELINE_QUERIES.byOutcome,
        cloudwatch.LogQueryVisualizationType.TABLE,
      ),
      query(
        'Latency by service and stage (ms)',
        PIPELINE_QUERIES.latency,
        cloudwatch.LogQueryVisualizationType.TABLE,
      ),
    );
    const httpServices = services.filter((svc) => {
      const service = topology.services[svc];
      return service !== undefined && httpTriggerOf(service.trigger) !== undefined;
    });
    const accessLogs = httpServices.map(
      (svc) =>
        new cloudwatch.LogQueryWidget({
          title: `${svc} HTTP API requests by route (access logs)`,
          logGroupNames: [names.httpApiAccessLogGroup(svc)],
          queryLines: [...PIPELINE_QUERIES.httpRequests],
          view: cloudwatch.LogQueryVisualizationType.TABLE,
          width: 12,
          height: 6,
        }),
    );
    this.dashboard.addWidgets(
      query(
        'Latest failures',
        PIPELINE_QUERIES.latestFailures,
        cloudwatch.LogQueryVisualizationType.TABLE,
        accessLogs.length > 0 ? 12 : 24,
      ),
      ...accessLogs,
    );

    const sqsMetric = (queueName: string, metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SQS',
        metricName,
        dimensionsMap: { QueueName: queueName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
        label,
      });
    const queues = Object.entries(topology.queues);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth (visible messages)',
        left: queues.map(([q]) => sqsMetric(names.queue(q), 'ApproximateNumberOfMessagesVisible', q)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (s)',
        left: queues.map(([q]) => sqsMetric(names.queue(q), 'ApproximateAgeOfOldestMessage', q)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'DLQ depth',
        left: queues.map(([, q]) =>
          sqsMetric(
            names.queue(q.deadLetter.queue),
            'ApproximateNumberOfMessagesVisible',
            q.deadLetter.queue,
          ),
        ),
        width: 8,
      }),
    );

    const lambdaMetric = (service: string, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: names.function(service) },
        statistic,
        period: Duration.minutes(1),
        label: service,
      });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: services.map((s) => lambdaMetric(s, 'Errors', 'Sum')),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda throttles',
        left: services.map((s) => lambdaMetric(s, 'Throttles', 'Sum')),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p95 (ms)',
        left: services.map((s) => lambdaMetric(s, 'Duration', 'p95')),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Concurrent executions',
        left: services.map((s) => lambdaMetric(s, 'ConcurrentExecutions', 'Maximum')),
        width: 6,
      }),
    );
  }
}
