import type { Topology } from '@sluice/contracts';
import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { configOf, type SluiceConfig } from './config';
import { Names } from './naming';
import { BatchOperationsStack } from './stacks/batch-operations-stack';
import { DashboardStack } from './stacks/dashboard-stack';
import { EdgeStack } from './stacks/edge-stack';
import { FoundationStack } from './stacks/foundation-stack';
import { ServiceStack } from './stacks/service-stack';
import { batchOperationsOf, edgeServicesOf, httpTriggerOf, loadTopology, validateTopology } from './topology';

/**
 * CDK feature flags the app relies on, set here rather than only in cdk.json so tests and any other
 * entry point build the same templates.
 */
const FEATURE_FLAGS: Record<string, boolean> = {
  // Server access logs delivered through a bucket policy for logging.s3.amazonaws.com, not ACLs.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface SluiceStacks {
  config: SluiceConfig;
  names: Names;
  foundation?: FoundationStack;
  services: Record<string, ServiceStack>;
  batchOperations: Record<string, BatchOperationsStack>;
  dashboard?: DashboardStack;
  edge?: EdgeStack;
}

export interface BuildOptions {
  /**
   * Which stacks to create: 'all' (the default), or a list of stack parts such as ['processor'] or
   * ['foundation', 'ingest']. Used by tests to prove a service stack synthesizes alone; deployments
   * select stacks with the CDK CLI instead.
   */
  only?: 'all' | string[];
  /** Register the cdk-nag AwsSolutions and Serverless packs (default true): any finding fails synth. */
  nag?: boolean;
  /** Another topology than contracts/topology/topology.json (tests). */
  topology?: Topology;
}

/**
 * The whole platform, built from contracts/topology/topology.json: a foundation stack, one stack per
 * service, a dashboard stack and (when a service has HTTP routes) the edge stack. No stack references
 * another: values flow through SSM parameters and deterministic names; the only links are deployment
 * order (services after the foundation, the edge after the HTTP APIs).
 */
export function buildSluice(app: App, options: BuildOptions = {}): SluiceStacks {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const config = configOf(app);
  const topology = options.topology ?? loadTopology();
  validateTopology(topology);
  const names = new Names(config.stage);
  const env: Environment = { account: config.account, region: config.region };
  const wanted = (part: string) =>
    options.only === undefined || options.only === 'all' || options.only.includes(part);
  const result: SluiceStacks = { config, names, services: {}, batchOperations: {} };

  if (wanted('foundation')) {
    result.foundation = new FoundationStack(app, names.stack('Foundation'), {
      env,
      config,
      names,
      topology,
      description:
        'Sluice foundation: buckets, topics, notifications, keys (data buckets are retained on delete)',
      terminationProtection: false,
    });
  }
  for (const serviceName of Object.keys(topology.services)) {
    if (!wanted(serviceName)) continue;
    result.services[serviceName] = new ServiceStack(app, names.serviceStack(serviceName), {
      env,
      config,
      names,
      topology,
      serviceName,
      description: `Sluice ${serviceName} service (${topology.services[serviceName]?.workspace})`,
    });
  }
  for (const name of Object.keys(batchOperationsOf(topology))) {
    if (!wanted(name)) continue;
    result.batchOperations[name] = new BatchOperationsStack(app, names.batchOperationsStack(name), {
      env,
      config,
      names,
      topology,
      functionName: name,
      description: `Sluice ${name} S3 Batch Operations function and job role`,
    });
  }
  if (wanted('dashboard')) {
    result.dashboard = new DashboardStack(app, names.stack('Dashboard'), {
      env,
      names,
      topology,
      description:
        'Sluice pipeline dashboard (Logs Insights over the Powertools fields, queue and Lambda metrics)',
    });
  }
  const hasHttp = Object.values(topology.services).some((s) => httpTriggerOf(s.trigger) !== undefined);
  const edgeServices = edgeServicesOf(topology);
  if (config.edge && (hasHttp || edgeServices.length > 0) && wanted('edge')) {
    result.edge = new EdgeStack(app, names.stack('Edge'), {
      env: { account: config.account, region: 'us-east-1' },
      config,
      names,
      topology,
      description: `Sluice edge: CloudFront + AWS WAF in front of ${[
        ...(hasHttp ? ['the HTTP API'] : []),
        ...edgeServices.map(([name, edge]) => `${name} (${edge.pathPatterns.join(' ')})`),
      ].join(' and ')}`,
    });
  }

  // Deployment order only (no exports, no references): on a fresh account `cdk deploy --all` must write
  // the foundation's SSM parameters before a service stack reads them, and `cdk destroy --all` must
  // remove the services before the topics they subscribe to. `--exclusively` ignores these.
  for (const stack of [...Object.values(result.services), ...Object.values(result.batchOperations)]) {
    if (result.foundation) stack.addStackDependency(result.foundation, 'reads its SSM parameters');
  }
  if (result.edge) {
    const edgeNames = new Set(edgeServices.map(([name]) => name));
    for (const [name, service] of Object.entries(result.services)) {
      if (service.httpApi) result.edge.addStackDependency(service, `reads the ${name} HTTP API host name`);
      if (edgeNames.has(name)) result.edge.addStackDependency(service, `reads the ${name} function URL`);
    }
    // Stored variants: the bucket name, and the bucket policy that lets CloudFront read them.
    if (result.foundation && edgeServices.some(([, edge]) => edge.storedVariantsBucket)) {
      result.edge.addStackDependency(result.foundation, 'reads the stored variants bucket name');
    }
  }

  Tags.of(app).add('project', 'sluice');
  Tags.of(app).add('sluice:stage', config.stage);
  if (options.nag !== false) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  return result;
}
