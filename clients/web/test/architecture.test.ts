import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Topology, topology } from '@sluice/contracts';
import { buildGraph, describeEdges, layout, toMermaid } from '../src/architecture/graph';
import { architectureMarkdown } from '../src/architecture/page';

const tiny: Topology = {
  buckets: {
    ingest: {
      versioned: false,
      notifications: [{ events: ['s3:ObjectCreated:*'], prefix: 'uploads/', topic: 'uploads' }],
    },
  },
  topics: { uploads: {}, events: {} },
  queues: {
    work: {
      subscriptions: [{ topic: 'uploads', rawMessageDelivery: false }],
      visibilityTimeoutSeconds: 60,
      deadLetter: { queue: 'work-dlq', maxReceiveCount: 3 },
    },
  },
  services: {
    api: {
      workspace: '@x/api',
      entry: 'a.ts',
      trigger: { type: 'http', routes: ['POST /uploads'] },
      environment: { BUCKET: { bucket: 'ingest' } },
    },
    worker: {
      workspace: '@x/worker',
      entry: 'w.ts',
      trigger: { type: 'sqs', queue: 'work', batchSize: 5 },
      environment: { TOPIC: { topic: 'events' } },
    },
  },
} as unknown as Topology;

describe('the architecture graph', () => {
  it('has a node per service, bucket, topic, queue and DLQ, and an edge per wire', () => {
    const graph = buildGraph(tiny);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(
      [
        'bucket:ingest',
        'client:clients',
        'dlq:work-dlq',
        'queue:work',
        'service:api',
        'service:worker',
        'topic:events',
        'topic:uploads',
      ].sort(),
    );
    expect(describeEdges(graph)).toEqual([
      'clients (client) calls api (service): POST /uploads',
      'work (queue) moves failures to work-dlq (dead-letter queue): after 3 receives',
      'work (queue) triggers worker (service): batches of 5',
      'ingest (bucket) notifies uploads (topic): s3:ObjectCreated:* uploads/',
      'uploads (topic) delivers to work (queue): SNS envelope',
      'api (service) reads or writes ingest (bucket): BUCKET',
      'worker (service) publishes to events (topic): TOPIC',
    ]);
  });

  it('draws the real topology: every service, bucket, topic and queue, boxes that do not overlap', () => {
    const graph = buildGraph(topology);
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const name of Object.keys(topology.services)) expect(ids).toContain(`service:${name}`);
    for (const name of Object.keys(topology.buckets)) expect(ids).toContain(`bucket:${name}`);
    for (const name of Object.keys(topology.topics)) expect(ids).toContain(`topic:${name}`);
    for (const name of Object.keys(topology.queues))
      expect(ids.has(`queue:${name}`) || ids.has(`dlq:${name}`)).toBe(true);
    const { boxes } = layout(graph);
    const list = [...boxes.values()];
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
    expect(toMermaid(graph)).toMatch(/^flowchart LR\n/);
  });

  it('docs/architecture.md is the page generated from the current topology (npm run architecture -w @sluice/web)', () => {
    const committed = readFileSync(path.resolve(__dirname, '../../../docs/architecture.md'), 'utf8');
    expect(committed).toBe(architectureMarkdown(topology));
  });
});
