import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  topology as contractsTopology,
  type SqsTrigger,
  type Topology,
  type TopologyService,
} from '@sluice/contracts';
import { BATCH_OPERATIONS_ACCESS, SERVICE_ACCESS } from './access';

/** The monorepo root: NodejsFunction's projectRoot, where the lockfile and the service entries live. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const LOCK_FILE = join(REPO_ROOT, 'package-lock.json');

/** Packages with native binaries: installed for linux-arm64 next to the bundle, never bundled by esbuild. */
export const NATIVE_MODULES = ['sharp'] as const;

export type EnvironmentRef = TopologyService['environment'][string];

export function isSqsTrigger(trigger: TopologyService['trigger']): trigger is SqsTrigger {
  return triggerType(trigger) === 'sqs';
}

/**
 * The trigger kinds the app deploys. The topology schema grows (route settings, function URLs); these
 * local shapes let the app read the optional parts whichever schema version it is built against.
 */
export interface Throttling {
  burstLimit: number;
  rateLimit: number;
}

export interface HttpTriggerSettings {
  type: 'http';
  routes: string[];
  /** Default route throttling of the stage. */
  throttling?: Throttling;
  routeSettings?: Record<string, { authorization?: 'jwt' | 'none'; throttling?: Throttling }>;
}

/**
 * An S3 Batch Operations function (topology/v1 `batchOperations`): invoked by jobs, not by a trigger.
 * Read through this local shape so the app builds against topologies from before the field.
 */
export interface BatchOperationsFunction {
  description: string;
  workspace: string;
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** A service whose whole environment this function gets first. */
  environmentFrom?: string;
  environment: TopologyService['environment'];
  taskBuckets: string[];
  reportBucket: string;
  reportPrefix: string;
}

export function batchOperationsOf(topology: Topology): Record<string, BatchOperationsFunction> {
  return (topology as { batchOperations?: Record<string, BatchOperationsFunction> }).batchOperations ?? {};
}

/** A batch function's environment: its environmentFrom service's, then its own. */
export function batchEnvironment(
  topology: Topology,
  fn: BatchOperationsFunction,
): TopologyService['environment'] {
  const inherited = fn.environmentFrom ? topology.services[fn.environmentFrom]?.environment : undefined;
  return { ...(inherited ?? {}), ...fn.environment };
}

/**
 * A function URL the public reaches through the CloudFront edge only (topology/v1 `functionUrlEdge`):
 * behaviors for pathPatterns, origin access control signing each origin request, and with
 * storedVariantsBucket that bucket first (origin group failing over to the function on 403/404).
 */
export interface FunctionUrlEdge {
  pathPatterns: string[];
  storedVariantsBucket?: string;
  /** A CloudFront Function (cloudfront-js-2.0) for viewer requests, relative to the repository root. */
  viewerRequestFunction?: string;
}

export interface FunctionUrlTriggerSettings {
  type: 'function-url';
  authType: 'AWS_IAM' | 'NONE';
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  edge?: FunctionUrlEdge;
}

/** Services whose function URL sits behind the CloudFront edge, with their edge settings. */
export function edgeServicesOf(topology: Topology): [string, FunctionUrlEdge][] {
  return Object.entries(topology.services).flatMap(([name, service]) => {
    const edge = functionUrlTriggerOf(service.trigger)?.edge;
    return edge ? [[name, edge] as [string, FunctionUrlEdge]] : [];
  });
}

export function triggerType(trigger: TopologyService['trigger']): string {
  return (trigger as { type: string }).type;
}

export function httpTriggerOf(trigger: TopologyService['trigger']): HttpTriggerSettings | undefined {
  return triggerType(trigger) === 'http' ? (trigger as unknown as HttpTriggerSettings) : undefined;
}

export function functionUrlTriggerOf(
  trigger: TopologyService['trigger'],
): FunctionUrlTriggerSettings | undefined {
  return triggerType(trigger) === 'function-url'
    ? (trigger as unknown as FunctionUrlTriggerSettings)
    : undefined;
}

/** The topology every stack is built from (contracts/topology/topology.json). */
export function loadTopology(): Topology {
  return contractsTopology;
}

/** The service a queue triggers, if any. */
export function consumerOf(topology: Topology, queue: string): string | undefined {
  return Object.entries(topology.services).find(
    ([, service]) => isSqsTrigger(service.trigger) && service.trigger.queue === queue,
  )?.[0];
}

/** Buckets a service is told about through its environment. */
export function bucketsOf(service: TopologyService): string[] {
  return [
    ...new Set(Object.values(service.environment).flatMap((ref) => ('bucket' in ref ? [ref.bucket] : []))),
  ];
}

/** The workspace folder of a service: the nearest package.json above its entry. */
export function workspaceDirOf(service: { entry: string }): string {
  let dir = dirname(join(REPO_ROOT, service.entry));
  while (dir.startsWith(REPO_ROOT) && dir !== REPO_ROOT) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`No package.json above ${service.entry}`);
}

/** The native modules a service depends on (from its workspace's package.json). */
export function nativeModulesOf(service: { entry: string }): string[] {
  const pkg = JSON.parse(readFileSync(join(workspaceDirOf(service), 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return NATIVE_MODULES.filter((name) => pkg.dependencies?.[name] !== undefined);
}

/**
 * The rules the CDK app relies on, checked before any construct is made. The contracts tests check the
 * topology's own consistency; these are the deployment's: AWS limits and the design's invariants.
 */
export function validateTopology(topology: Topology): void {
  const problems: string[] = [];
  for (const [name, bucket] of Object.entries(topology.buckets)) {
    for (const n of bucket.notifications) {
      if (!topology.topics[n.topic]) problems.push(`bucket ${name} notifies unknown topic ${n.topic}`);
    }
  }
  for (const [name, queue] of Object.entries(topology.queues)) {
    for (const s of queue.subscriptions) {
      if (!topology.topics[s.topic]) problems.push(`queue ${name} subscribes to unknown topic ${s.topic}`);
    }
    if (queue.deadLetter.maxReceiveCount < 1 || queue.deadLetter.maxReceiveCount > 1000) {
      problems.push(`queue ${name}: maxReceiveCount must be 1..1000`);
    }
  }
  for (const [name, service] of Object.entries(topology.services)) {
    if (!existsSync(join(REPO_ROOT, service.entry)))
      problems.push(`service ${name}: entry ${service.entry} not found`);
    if (service.memoryMb < 128 || service.memoryMb > 10240)
      problems.push(`service ${name}: memoryMb must be 128..10240`);
    if (service.timeoutSeconds < 1 || service.timeoutSeconds > 900)
      problems.push(`service ${name}: timeoutSeconds 1..900`);
    for (const [key, ref] of Object.entries(service.environment)) {
      if ('bucket' in ref && !topology.buckets[ref.bucket])
        problems.push(`service ${name}: ${key} -> unknown bucket`);
      if ('topic' in ref && !topology.topics[ref.topic])
        problems.push(`service ${name}: ${key} -> unknown topic`);
      if ('queue' in ref && !topology.queues[ref.queue])
        problems.push(`service ${name}: ${key} -> unknown queue`);
    }
    const trigger = service.trigger;
    if (!['sqs', 'http', 'function-url'].includes(triggerType(trigger))) {
      problems.push(`service ${name}: trigger type ${triggerType(trigger)} is not deployable yet`);
    }
    const http = httpTriggerOf(trigger);
    for (const route of Object.keys(http?.routeSettings ?? {})) {
      if (!http?.routes.includes(route))
        problems.push(`service ${name}: routeSettings for unknown route ${route}`);
    }
    if (isSqsTrigger(trigger)) {
      const queue = topology.queues[trigger.queue];
      if (!queue) {
        problems.push(`service ${name}: trigger queue ${trigger.queue} not found`);
      } else if (queue.visibilityTimeoutSeconds < 6 * service.timeoutSeconds) {
        problems.push(
          `queue ${trigger.queue}: visibility timeout ${queue.visibilityTimeoutSeconds}s is under 6x the ${name} timeout (${6 * service.timeoutSeconds}s)`,
        );
      }
      if (trigger.batchSize > 10 && trigger.maxBatchingWindowSeconds < 1) {
        problems.push(`service ${name}: a batch size over 10 needs a batching window`);
      }
      if (trigger.maxBatchingWindowSeconds > 300) problems.push(`service ${name}: batching window over 300s`);
      if (trigger.maximumConcurrency < 2 || trigger.maximumConcurrency > 1000) {
        problems.push(`service ${name}: maximumConcurrency must be 2..1000 (Lambda's limits)`);
      }
    }
    const access = SERVICE_ACCESS[name];
    if (!access) problems.push(`service ${name}: no entry in infra/src/access.ts`);
    for (const key of access?.secrets ?? []) {
      const ref = service.environment[key];
      if (!ref || !('value' in ref))
        problems.push(`service ${name}: secret ${key} is not a literal in its environment`);
    }
    const edge = functionUrlTriggerOf(trigger)?.edge;
    if (edge?.viewerRequestFunction && !existsSync(join(REPO_ROOT, edge.viewerRequestFunction)))
      problems.push(`service ${name}: viewer request function ${edge.viewerRequestFunction} not found`);
    if (edge?.storedVariantsBucket) {
      if (!topology.buckets[edge.storedVariantsBucket])
        problems.push(
          `service ${name}: edge storedVariantsBucket ${edge.storedVariantsBucket} is not a bucket`,
        );
      if (!access?.edgeReads?.length)
        problems.push(
          `service ${name}: its edge reads ${edge.storedVariantsBucket}, but access.ts names no edgeReads prefix`,
        );
    }
  }
  for (const [name, fn] of Object.entries(batchOperationsOf(topology))) {
    if (!existsSync(join(REPO_ROOT, fn.entry)))
      problems.push(`batch function ${name}: entry ${fn.entry} not found`);
    if (fn.environmentFrom && !topology.services[fn.environmentFrom]) {
      problems.push(`batch function ${name}: environmentFrom ${fn.environmentFrom} is not a service`);
    }
    for (const bucket of [...fn.taskBuckets, fn.reportBucket]) {
      if (!topology.buckets[bucket]) problems.push(`batch function ${name}: unknown bucket ${bucket}`);
    }
    if (!BATCH_OPERATIONS_ACCESS[name])
      problems.push(`batch function ${name}: no entry in infra/src/access.ts`);
  }
  const consumers = new Map<string, string>();
  for (const [name, service] of Object.entries(topology.services)) {
    if (!isSqsTrigger(service.trigger)) continue;
    const other = consumers.get(service.trigger.queue);
    if (other) problems.push(`queue ${service.trigger.queue} triggers both ${other} and ${name}`);
    consumers.set(service.trigger.queue, name);
  }
  if (problems.length > 0) throw new Error(`The topology cannot be deployed:\n  ${problems.join('\n  ')}`);
}
