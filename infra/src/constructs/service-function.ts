import { join } from 'node:path';
import type { TopologyService } from '@sluice/contracts';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Names } from '../naming';
import { LOCK_FILE, nativeModulesOf, REPO_ROOT } from '../topology';

export interface ServiceFunctionProps {
  names: Names;
  serviceName: string;
  /** What the function runs: a topology service or batch function. */
  service: Pick<TopologyService, 'workspace' | 'entry' | 'memoryMb' | 'timeoutSeconds'>;
  /** The service's environment with every topology reference resolved. */
  environment: Record<string, string>;
  logRetentionDays: number;
}

/** The esbuild settings every service function shares (see FIELD-NOTES.md for why each one is there). */
export function bundlingOptions(nativeModules: string[]): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // ESM builds of dependencies first; without it a bundled AWS SDK fails with "Dynamic require of node:https".
    mainFields: ['module', 'main'],
    // The SDK is bundled, not taken from the runtime: the versions the tests ran against (pinned by the
    // lockfile) are the versions that run, and @aws-sdk/s3-presigned-post is not part of the runtime's SDK.
    externalModules: [],
    // Native modules are installed for the function's platform next to the bundle, from the lockfile.
    nodeModules: nativeModules,
    environment:
      nativeModules.length > 0
        ? { npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' }
        : {},
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // The copied manifest and lockfile would change the asset hash whenever any workspace's dependencies change.
      afterBundling: (_inputDir: string, outputDir: string) =>
        nativeModules.length > 0
          ? [`rm -f "${join(outputDir, 'package.json')}" "${join(outputDir, 'package-lock.json')}"`]
          : [],
    },
  };
}

/**
 * One service's Lambda function: NodejsFunction (ESM, minified, source maps) on nodejs22.x/arm64, with
 * explicit memory, timeout, log group and retention, X-Ray tracing, and a role that starts empty except
 * for writing its own log group. The owning stack adds exactly the grants the service needs.
 */
export class ServiceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { names, serviceName, service } = props;
    const functionName = names.function(serviceName);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: names.logGroup(serviceName),
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Sluice ${serviceName} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): its own log group only.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: `Sluice ${serviceName} (${service.workspace})`,
      entry: join(REPO_ROOT, service.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: service.memoryMb,
      timeout: Duration.seconds(service.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundlingOptions(nativeModulesOf(service)),
    });
  }
}
