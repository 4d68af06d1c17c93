// topology.json is what the CDK app and the local runtime build: it must be valid and hang together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvironmentRef, type Topology, topology, validate } from '../src';
import { CONTRACTS_DIR } from './examples';

const rawTopology: unknown = JSON.parse(readFileSync(join(CONTRACTS_DIR, 'topology/topology.json'), 'utf8'));

/** Every way the topology refers to a bucket, topic or queue by name, with where it does so. */
function references(t: Topology): { kind: 'bucket' | 'topic' | 'queue'; name: string; from: string }[] {
  const refs: { kind: 'bucket' | 'topic' | 'queue'; name: string; from: string }[] = [];
  for (const [bucket, spec] of Object.entries(t.buckets)) {
    spec.notifications.forEach((n, i) => {
      refs.push({ kind: 'topic', name: n.topic, from: `buckets.${bucket}.notifications[${i}]` });
    });
  }
  for (const [queue, spec] of Object.entries(t.queues)) {
    spec.subscriptions.forEach((s, i) => {
      refs.push({ kind: 'topic', name: s.topic, from: `queues.${queue}.subscriptions[${i}]` });
    });
  }
  for (const [service, spec] of Object.entries(t.services)) {
    if (spec.trigger.type === 'sqs')
      refs.push({ kind: 'queue', name: spec.trigger.queue, from: `services.${service}.trigger` });
    if (spec.trigger.type === 'function-url' && spec.trigger.edge?.storedVariantsBucket)
      refs.push({
        kind: 'bucket',
        name: spec.trigger.edge.storedVariantsBucket,
        from: `services.${service}.trigger.edge`,
      });
    for (const [variable, ref] of Object.entries(spec.environment)) {
      const target = refTarget(ref);
      if (target) refs.push({ ...target, from: `services.${service}.environment.${variable}` });
    }
  }
  return refs;
}

function refTarget(ref: EnvironmentRef): { kind: 'bucket' | 'topic' | 'queue'; name: string } | undefined {
  if ('bucket' in ref) return { kind: 'bucket', name: ref.bucket };
  if ('topic' in ref) return { kind: 'topic', name: ref.topic };
  if ('queue' in ref) return { kind: 'queue', name: ref.queue };
  return undefined;
}

describe('topology.json', () => {
  it('validates against topology/v1', () => {
    expect(validate('topology/v1', rawTopology)).toEqual({ ok: true, value: rawTopology });
  });

  it('is what the package exports as topology', () => {
    expect(topology).toEqual(rawTopology);
  });

  it('refers only to buckets, topics and queues it defines', () => {
    const defined = {
      bucket: new Set(Object.keys(topology.buckets)),
      topic: new Set(Object.keys(topology.topics)),
      queue: new Set(Object.keys(topology.queues)),
    };
    const dangling = references(topology)
      .filter((ref) => !defined[ref.kind].has(ref.name))
      .map((ref) => `${ref.from} -> unknown ${ref.kind} '${ref.name}'`);
    expect(dangling).toEqual([]);
  });

  it('gives every queue a visibility timeout of at least 6x the timeout of the service it triggers', () => {
    const tooShort = Object.entries(topology.services).flatMap(([service, spec]) => {
      if (spec.trigger.type !== 'sqs') return [];
      const queue = topology.queues[spec.trigger.queue];
      const needed = 6 * spec.timeoutSeconds;
      return queue && queue.visibilityTimeoutSeconds < needed
        ? [
            `${spec.trigger.queue}: ${queue.visibilityTimeoutSeconds}s < 6 x ${spec.timeoutSeconds}s (${service})`,
          ]
        : [];
    });
    expect(tooShort).toEqual([]);
  });

  it('names every dead-letter queue uniquely, apart from the queues themselves', () => {
    const dlqs = Object.values(topology.queues).map((q) => q.deadLetter.queue);
    expect(new Set(dlqs).size).toBe(dlqs.length);
    expect(dlqs.filter((dlq) => dlq in topology.queues)).toEqual([]);
  });

  it('feeds every queue to exactly one service (a second consumer would steal its messages)', () => {
    const consumers = Object.fromEntries(
      Object.keys(topology.queues).map((queue) => [queue, [] as string[]]),
    );
    for (const [service, spec] of Object.entries(topology.services)) {
      if (spec.trigger.type === 'sqs') consumers[spec.trigger.queue]?.push(service);
    }
    expect(Object.entries(consumers).filter(([, services]) => services.length !== 1)).toEqual([]);
  });

  it('subscribes queues to S3 notification topics with the SNS envelope the consumers expect', () => {
    const s3Topics = new Set(
      Object.values(topology.buckets).flatMap((b) => b.notifications.map((n) => n.topic)),
    );
    const raw = Object.entries(topology.queues).flatMap(([queue, spec]) =>
      spec.subscriptions
        .filter((s) => s3Topics.has(s.topic) && s.rawMessageDelivery)
        .map((s) => `${queue} <- ${s.topic}`),
    );
    expect(raw).toEqual([]);
  });
});
