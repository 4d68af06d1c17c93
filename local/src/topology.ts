import { topology as contractsTopology, type Topology } from '@sluice/contracts';
import type { BucketStorageSpec } from './storage-policy';

/*
 * The parts of contracts/topology/topology.json this package reads, as a structural type. The
 * contracts' own `Topology` must stay assignable to it (checked below), while tests and scripts can
 * still describe small topologies of their own without every field the schema requires.
 */

export interface BucketNotification {
  events: string[];
  topic: string;
  prefix?: string;
  suffix?: string;
}

export interface BucketSpec {
  versioned?: boolean;
  notifications?: BucketNotification[];
  /** Lifecycle rules and Object Lock (applied as far as moto goes: see storage-policy.ts). */
  storage?: BucketStorageSpec;
}

export interface SubscriptionSpec {
  topic: string;
  rawMessageDelivery?: boolean;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope?: string;
}

export interface QueueSpec {
  subscriptions?: SubscriptionSpec[];
  visibilityTimeoutSeconds?: number;
  retentionSeconds?: number;
  deadLetter?: { queue: string; maxReceiveCount: number; retentionSeconds?: number };
}

export interface TriggerSpec {
  type: string;
  /** sqs */
  queue?: string;
  batchSize?: number;
  maxBatchingWindowSeconds?: number;
  maximumConcurrency?: number;
  /** http: "METHOD /path/{param}" */
  routes?: string[];
  /** http: the stage's default route throttling. */
  throttling?: { burstLimit: number; rateLimit: number };
  /** http: per route key. */
  routeSettings?: Record<
    string,
    { authorization?: 'jwt' | 'none'; throttling?: { burstLimit: number; rateLimit: number } }
  >;
  /** function-url */
  authType?: 'AWS_IAM' | 'NONE';
  /** function-url: BUFFERED (default) or RESPONSE_STREAM. */
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  /**
   * function-url: reached by the public through CloudFront (origin access control signs on AWS).
   * Locally there is no CloudFront: the URL takes unsigned requests, as the distribution would.
   */
  edge?: { pathPatterns: string[]; storedVariantsBucket?: string; viewerRequestFunction?: string };
}

export type EnvironmentRef = { bucket?: string; topic?: string; queue?: string; value?: string };

export interface ServiceSpec {
  entry: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  trigger: TriggerSpec;
  environment?: Record<string, EnvironmentRef>;
}

export interface TopologyLike {
  buckets: Record<string, BucketSpec>;
  topics: Record<string, unknown>;
  queues: Record<string, QueueSpec>;
  services: Record<string, ServiceSpec>;
}

export const defaultTopology: TopologyLike = contractsTopology satisfies Topology;

export function serviceSpec(topology: TopologyLike, name: string): ServiceSpec {
  const spec = topology.services[name];
  if (!spec) {
    throw new Error(
      `Unknown service "${name}"; the topology has: ${Object.keys(topology.services).join(', ')}`,
    );
  }
  return spec;
}
