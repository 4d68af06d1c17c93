import { topology as defaultTopology, type EnvironmentRef, type Topology } from '@sluice/contracts';
import type { Deployment } from '../deployment';

export class FunctionEnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionEnvironmentError';
  }
}

function resolve(ref: EnvironmentRef, deployment: Deployment, where: string): string {
  if ('bucket' in ref) {
    const bucket = deployment.buckets[ref.bucket];
    if (bucket) return bucket;
  } else if ('topic' in ref) {
    const topic = deployment.topics[ref.topic];
    if (topic) return topic;
  } else if ('queue' in ref) {
    const queue = deployment.queues[ref.queue]?.url;
    if (queue) return queue;
  } else return ref.value;
  throw new FunctionEnvironmentError(`${where}: the deployment has no ${JSON.stringify(ref)}`);
}

/**
 * The environment a batch operations function runs with, from the topology: the service it takes
 * its configuration from (environmentFrom), then its own variables; plus the AWS settings of the
 * deployment (endpoint and test credentials on a local emulator).
 */
export function batchFunctionEnvironment(
  name: string,
  deployment: Deployment,
  topology: Topology = defaultTopology,
): Record<string, string> {
  const spec = topology.batchOperations?.[name];
  if (!spec) {
    throw new FunctionEnvironmentError(
      `No batch operations function "${name}" in the topology (it has ${Object.keys(topology.batchOperations ?? {}).join(', ') || 'none'})`,
    );
  }
  const env: Record<string, string> = {};
  const inherited = spec.environmentFrom ? topology.services[spec.environmentFrom]?.environment : undefined;
  for (const [variable, ref] of Object.entries({ ...inherited, ...spec.environment })) {
    env[variable] = resolve(ref, deployment, `batchOperations.${name}.environment.${variable}`);
  }
  env.AWS_REGION = deployment.region;
  if (deployment.awsEndpoint) {
    Object.assign(env, {
      AWS_ENDPOINT_URL: deployment.awsEndpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      SLUICE_S3_FORCE_PATH_STYLE: 'true',
    });
  }
  return env;
}
