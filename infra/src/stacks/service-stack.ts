import type { Topology, TopologyService } from '@sluice/contracts';
import {
  Annotations,
  Aws,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { SERVICE_ACCESS, type ServiceAccess } from '../access';
import type { SluiceConfig } from '../config';
import { PipelineQueue } from '../constructs/pipeline-queue';
import { ServiceFunction } from '../constructs/service-function';
import { SsmImports } from '../constructs/ssm-imports';
import { edgeDistributionArn, grantAccess, queueUrl } from '../grants';
import type { Names } from '../naming';
import { grantSearch, searchEnvironment } from '../search';
import {
  type EnvironmentRef,
  type FunctionUrlTriggerSettings,
  functionUrlTriggerOf,
  type HttpTriggerSettings,
  httpTriggerOf,
  isSqsTrigger,
  triggerType,
} from '../topology';

export interface ServiceStackProps extends StackProps {
  config: SluiceConfig;
  names: Names;
  topology: Topology;
  serviceName: string;
}

/**
 * One service, deployable on its own: its function, its trigger (queue + DLQ + subscriptions, or the
 * HTTP API), its alarms and exactly the permissions it needs. Everything it uses from the foundation
 * arrives through SSM parameters, so this stack has no dependency on any other stack.
 */
export class ServiceStack extends Stack {
  readonly fn: ServiceFunction;
  readonly pipelineQueue?: PipelineQueue;
  readonly httpApi?: apigwv2.HttpApi;
  functionUrl?: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, names, topology, serviceName } = props;
    const service = topology.services[serviceName] as TopologyService;
    const imports = new SsmImports(this, names);
    const alarmAction = new cwActions.SnsAction(
      sns.Topic.fromTopicArn(this, 'AlarmTopic', imports.alarmTopicArn),
    );

    const access = SERVICE_ACCESS[serviceName] as ServiceAccess;
    // The search environment has no topology reference kind (see src/search.ts); the topology's own
    // values win over it.
    const environment = {
      ...(access.search ? searchEnvironment(config, imports) : {}),
      ...Object.fromEntries(
        Object.entries(service.environment).map(([key, ref]) => [key, resolveRef(ref, this, names, imports)]),
      ),
    };
    this.fn = new ServiceFunction(this, 'Service', {
      names,
      serviceName,
      service,
      environment,
      logRetentionDays: config.logRetentionDays,
    });
    const fn = this.fn.function;
    grantAccess(this, this.fn.role, {
      label: serviceName,
      access,
      environment: service.environment,
      topology,
      imports,
      names,
    });
    if (access.search) grantSearch(this, this.fn.role, access.search, environment, imports);

    const trigger = service.trigger;
    if (isSqsTrigger(trigger)) {
      const queue = topology.queues[trigger.queue];
      if (!queue) throw new Error(`service ${serviceName}: no queue ${trigger.queue}`);
      this.pipelineQueue = new PipelineQueue(this, 'Trigger', {
        names,
        name: trigger.queue,
        queue,
        topicArn: (topic) => imports.topicArn(topic),
        alarmAction,
      });
      fn.addEventSource(
        new SqsEventSource(this.pipelineQueue.queue, {
          batchSize: trigger.batchSize,
          maxBatchingWindow:
            trigger.maxBatchingWindowSeconds > 0
              ? Duration.seconds(trigger.maxBatchingWindowSeconds)
              : undefined,
          maxConcurrency: trigger.maximumConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          "SQS invokes this function synchronously; failed records go to the queue's own DLQ (redrive policy), not a function DLQ.",
      });
      acknowledgeEventSourceMapping(fn);
    } else {
      const synchronous = 'Invoked synchronously (API Gateway, Function URL): the caller sees every failure.';
      Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: synchronous });
      const http = httpTriggerOf(trigger);
      const functionUrl = functionUrlTriggerOf(trigger);
      if (http) {
        // Internal endpoints are services of their own (ingest-internal, a function-url trigger): the
        // HTTP API's function has no URL.
        this.httpApi = this.addHttpApi(http, config, names, serviceName, alarmAction);
      } else if (functionUrl) {
        this.addFunctionUrl(names, serviceName, functionUrl);
        if (functionUrl.edge && config.edge) this.allowEdge(config);
      } else {
        throw new Error(`service ${serviceName}: trigger type ${triggerType(trigger)} is not deployable yet`);
      }
    }

    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the services are built and tested for (node22 target); moving to a newer one is a deliberate upgrade.',
    });
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaLatestVersion',
      reason: 'nodejs22.x is the runtime the services are built and tested for; see AwsSolutions-L1.',
    });
    Validations.of(this.fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });

    for (const alarm of [
      fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, 'ErrorsAlarm', {
        alarmName: `${names.function(serviceName)}-errors`,
        alarmDescription: `${serviceName}: invocations failed as a whole (unhandled errors or timeouts).`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      fn
        .metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })
        .createAlarm(this, 'ThrottlesAlarm', {
          alarmName: `${names.function(serviceName)}-throttles`,
          alarmDescription: `${serviceName}: invocations throttled (account concurrency exhausted).`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    ]) {
      alarm.addAlarmAction(alarmAction);
    }

    new ssm.StringParameter(this, 'FunctionArnParam', {
      parameterName: names.functionArnParam(serviceName),
      stringValue: fn.functionArn,
    });
  }

  private addFunctionUrl(
    names: Names,
    serviceName: string,
    settings: Omit<FunctionUrlTriggerSettings, 'type'>,
  ): void {
    const fn = this.fn.function;
    if (settings.authType === 'NONE') {
      Annotations.of(fn).addWarningV2(
        '@sluice/infra:publicFunctionUrl',
        `${serviceName} has a Function URL without authentication: put it behind CloudFront origin access control.`,
      );
    }
    this.functionUrl = fn.addFunctionUrl({
      authType:
        settings.authType === 'NONE' ? lambda.FunctionUrlAuthType.NONE : lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode:
        settings.invokeMode === 'RESPONSE_STREAM'
          ? lambda.InvokeMode.RESPONSE_STREAM
          : lambda.InvokeMode.BUFFERED,
    });
    new ssm.StringParameter(this, 'FunctionUrlParam', {
      parameterName: names.functionUrlParam(serviceName),
      stringValue: this.functionUrl.url,
    });
  }

  /**
   * The CloudFront edge invokes this function URL through origin access control: CloudFront signs each
   * origin request as cloudfront.amazonaws.com, which needs lambda:InvokeFunctionUrl and (for function
   * URLs since October 2025) lambda:InvokeFunction via the URL, from the edge's distribution.
   */
  private allowEdge(config: SluiceConfig): void {
    const fn = this.fn.function;
    const common = {
      principal: 'cloudfront.amazonaws.com',
      functionName: fn.functionArn,
      sourceArn: edgeDistributionArn(this, config.edgeDistributionId),
      sourceAccount: this.account,
    };
    new lambda.CfnPermission(this, 'EdgeInvokeFunctionUrl', {
      ...common,
      action: 'lambda:InvokeFunctionUrl',
    });
    new lambda.CfnPermission(this, 'EdgeInvokeFunction', {
      ...common,
      action: 'lambda:InvokeFunction',
      invokedViaFunctionUrl: true,
    });
  }

  private addHttpApi(
    trigger: HttpTriggerSettings,
    config: SluiceConfig,
    names: Names,
    serviceName: string,
    alarmAction: cloudwatch.IAlarmAction,
  ): apigwv2.HttpApi {
    const fn = this.fn.function;
    const issuer =
      config.jwtIssuer ??
      new CfnParameter(this, 'JwtIssuer', {
        type: 'String',
        description: 'JWT issuer URL the HTTP API trusts (https://...); or set the jwtIssuer context value',
        allowedPattern: '^https://.+',
      }).valueAsString;
    const audience =
      config.jwtAudience ??
      new CfnParameter(this, 'JwtAudience', {
        type: 'CommaDelimitedList',
        description: 'Accepted JWT audiences (aud or client_id); or set the jwtAudience context value',
      }).valueAsList;

    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: names.httpApi(serviceName),
      description: `Sluice ${serviceName} HTTP API`,
      createDefaultStage: false,
      // Browsers: the web page, and Uppy's @uppy/aws-s3 (it sends uppy-versions, and DELETE to abort).
      corsPreflight: {
        allowOrigins: config.corsOrigins,
        allowMethods: [...new Set(trigger.routes.map((r) => r.split(' ')[0]))].map(
          (m) => apigwv2.CorsHttpMethod[m as keyof typeof apigwv2.CorsHttpMethod],
        ),
        allowHeaders: ['authorization', 'content-type', 'uppy-versions'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      logGroupName: names.httpApiAccessLogGroup(serviceName),
      retention: config.logRetentionDays as logs.RetentionDays,
      // A retained group would keep its name taken and fail the next deploy of the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      // The topology's throttling wins; the context values are the fallback.
      throttle: trigger.throttling ?? {
        rateLimit: config.apiThrottleRateLimit,
        burstLimit: config.apiThrottleBurstLimit,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(HTTP_ACCESS_LOG_FORMAT),
      },
    });
    const authorizer = new HttpJwtAuthorizer('Jwt', issuer, {
      jwtAudience: audience,
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new HttpLambdaIntegration('Function', fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    // CfnStage.routeSettings is raw JSON: CloudFormation's own (capitalized) property names.
    const routeThrottling: Record<string, { ThrottlingBurstLimit: number; ThrottlingRateLimit: number }> = {};
    for (const route of trigger.routes) {
      const [method, path] = route.split(' ');
      const httpMethod = apigwv2.HttpMethod[method as keyof typeof apigwv2.HttpMethod];
      if (!httpMethod || !path) throw new Error(`service ${serviceName}: bad route "${route}"`);
      const settings = trigger.routeSettings?.[route];
      const isPublic = settings?.authorization === 'none';
      const [created] = api.addRoutes({
        path,
        methods: [httpMethod],
        integration,
        authorizer: isPublic ? new apigwv2.HttpNoneAuthorizer() : authorizer,
      });
      if (isPublic && created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `The topology declares ${route} public: its callers (signed webhooks) are authenticated by the handler.`,
        });
      }
      if (settings?.throttling) {
        routeThrottling[route] = {
          ThrottlingBurstLimit: settings.throttling.burstLimit,
          ThrottlingRateLimit: settings.throttling.rateLimit,
        };
      }
    }
    if (Object.keys(routeThrottling).length > 0) {
      (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = routeThrottling;
    }

    const domain = `${api.apiId}.execute-api.${this.region}.${Aws.URL_SUFFIX}`;
    new ssm.StringParameter(this, 'HttpApiDomainParam', {
      parameterName: names.httpApiDomainParam(serviceName),
      stringValue: domain,
    });

    stage
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'HttpApi5xxAlarm', {
        alarmName: `${names.httpApi(serviceName)}-5xx`,
        alarmDescription: `${serviceName} HTTP API answered 5xx.`,
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(alarmAction);
    return api;
  }
}

/**
 * One JSON object per request: every value quoted, so the format is valid JSON whatever a variable
 * holds ('-' when there is no integration or authorizer); Logs Insights still computes statistics over
 * numeric strings such as status and responseLatency.
 */
const HTTP_ACCESS_LOG_FORMAT = `{${[
  '"requestId":"$context.requestId"',
  '"ip":"$context.identity.sourceIp"',
  '"requestTime":"$context.requestTime"',
  '"routeKey":"$context.routeKey"',
  '"status":"$context.status"',
  '"protocol":"$context.protocol"',
  '"responseLength":"$context.responseLength"',
  '"responseLatency":"$context.responseLatency"',
  '"integrationLatency":"$context.integrationLatency"',
  '"integrationError":"$context.integrationErrorMessage"',
  '"authorizerError":"$context.authorizer.error"',
  '"userAgent":"$context.identity.userAgent"',
].join(',')}}`;

export function resolveRef(ref: EnvironmentRef, stack: Stack, names: Names, imports: SsmImports): string {
  if ('bucket' in ref) return imports.bucketName(ref.bucket);
  if ('topic' in ref) return imports.topicArn(ref.topic);
  if ('queue' in ref) return queueUrl(stack, names.queue(ref.queue));
  return ref.value;
}

function acknowledgeEventSourceMapping(fn: lambda.IFunction): void {
  for (const child of fn.node.children) {
    if (child instanceof lambda.EventSourceMapping) {
      Validations.of(child).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "SQS event source mappings take no on-failure destination; the queue's redrive policy sends failed records to its DLQ.",
      });
    }
  }
}
