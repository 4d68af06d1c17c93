import type { Topology } from '@sluice/contracts';

/*
 * The system's picture, computed from contracts/topology/topology.json (the same data the CDK app
 * and the local runtime build from), so it cannot go stale: nodes for clients, services, buckets,
 * topics, queues and dead-letter queues; edges for every wire between them.
 */

export type NodeKind = 'client' | 'service' | 'bucket' | 'topic' | 'queue' | 'dlq';

export interface ArchNode {
  id: string;
  kind: NodeKind;
  label: string;
  detail?: string;
  column: number;
  row: number;
}

export type EdgeKind =
  | 'request'
  | 'notification'
  | 'subscription'
  | 'trigger'
  | 'redrive'
  | 'uses'
  | 'publishes';

export interface ArchEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
}

export interface ArchGraph {
  nodes: ArchNode[];
  edges: ArchEdge[];
  columns: number;
}

const id = (kind: NodeKind, name: string) => `${kind}:${name}`;

type Service = Topology['services'][string];
type Trigger = Service['trigger'] & {
  type: string;
  routes?: string[];
  queue?: string;
  batchSize?: number;
  authType?: string;
};

export function buildGraph(topology: Topology): ArchGraph {
  const nodes: ArchNode[] = [];
  const edges: ArchEdge[] = [];
  const deadLetterQueues = new Set(
    Object.values(topology.queues).flatMap((queue) => (queue.deadLetter ? [queue.deadLetter.queue] : [])),
  );
  const services = Object.entries(topology.services);
  const trigger = (service: Service) => service.trigger as Trigger;
  const requestServices = services.filter(([, s]) => trigger(s).type !== 'sqs');
  const queueServices = services.filter(([, s]) => trigger(s).type === 'sqs');

  // Columns, left to right, in the order data flows.
  nodes.push({
    id: 'client:clients',
    kind: 'client',
    label: 'clients',
    detail: 'CLI, web page, S3 clients',
    column: 0,
    row: 0,
  });
  requestServices.forEach(([name, s], row) => {
    const t = trigger(s);
    nodes.push({
      id: id('service', name),
      kind: 'service',
      label: name,
      detail:
        t.type === 'http'
          ? `HTTP API · ${t.routes?.length ?? 0} routes`
          : `${t.type}${t.authType ? ` (${t.authType})` : ''}`,
      column: 1,
      row,
    });
    edges.push({
      from: 'client:clients',
      to: id('service', name),
      kind: 'request',
      label: t.type === 'http' ? (t.routes ?? []).join(', ') : t.type,
    });
  });
  Object.entries(topology.buckets).forEach(([name, bucket], row) => {
    nodes.push({
      id: id('bucket', name),
      kind: 'bucket',
      label: name,
      detail: bucket.versioned ? 'S3 bucket, versioned' : 'S3 bucket',
      column: 2,
      row,
    });
  });
  Object.keys(topology.topics).forEach((name, row) => {
    nodes.push({ id: id('topic', name), kind: 'topic', label: name, detail: 'SNS topic', column: 3, row });
  });
  let queueRow = 0;
  for (const [name, queue] of Object.entries(topology.queues)) {
    if (deadLetterQueues.has(name)) continue;
    nodes.push({
      id: id('queue', name),
      kind: 'queue',
      label: name,
      detail: `SQS · visibility ${queue.visibilityTimeoutSeconds} s`,
      column: 4,
      row: queueRow++,
    });
    if (queue.deadLetter) {
      nodes.push({
        id: id('dlq', queue.deadLetter.queue),
        kind: 'dlq',
        label: queue.deadLetter.queue,
        detail: 'dead-letter queue',
        column: 4,
        row: queueRow++,
      });
      edges.push({
        from: id('queue', name),
        to: id('dlq', queue.deadLetter.queue),
        kind: 'redrive',
        label: `after ${queue.deadLetter.maxReceiveCount} receives`,
      });
    }
  }
  queueServices.forEach(([name, s], row) => {
    const t = trigger(s);
    nodes.push({
      id: id('service', name),
      kind: 'service',
      label: name,
      detail: `Lambda · ${s.memoryMb ?? 128} MB · ${s.timeoutSeconds ?? 3} s`,
      column: 5,
      row,
    });
    if (t.queue) {
      edges.push({
        from: id(deadLetterQueues.has(t.queue) ? 'dlq' : 'queue', t.queue),
        to: id('service', name),
        kind: 'trigger',
        label: `batches of ${t.batchSize ?? 10}`,
      });
    }
  });

  // Wires: notifications, subscriptions, and what each service's environment names.
  for (const [name, bucket] of Object.entries(topology.buckets)) {
    for (const notification of bucket.notifications ?? []) {
      const filter = [notification.prefix, notification.suffix && `*${notification.suffix}`]
        .filter(Boolean)
        .join(' ');
      edges.push({
        from: id('bucket', name),
        to: id('topic', notification.topic),
        kind: 'notification',
        label: `${notification.events.join(', ')}${filter ? ` ${filter}` : ''}`,
      });
    }
  }
  for (const [name, queue] of Object.entries(topology.queues)) {
    for (const subscription of queue.subscriptions ?? []) {
      const filtered = (subscription as { filterPolicy?: unknown }).filterPolicy ? ', filtered' : '';
      edges.push({
        from: id('topic', subscription.topic),
        to: id(deadLetterQueues.has(name) ? 'dlq' : 'queue', name),
        kind: 'subscription',
        label: `${subscription.rawMessageDelivery ? 'raw' : 'SNS envelope'}${filtered}`,
      });
    }
  }
  for (const [name, service] of services) {
    for (const [variable, ref] of Object.entries(service.environment ?? {})) {
      const r = ref as { bucket?: string; topic?: string; queue?: string };
      if (r.bucket)
        edges.push({ from: id('service', name), to: id('bucket', r.bucket), kind: 'uses', label: variable });
      if (r.topic)
        edges.push({
          from: id('service', name),
          to: id('topic', r.topic),
          kind: 'publishes',
          label: variable,
        });
      if (r.queue) {
        edges.push({
          from: id('service', name),
          to: id(deadLetterQueues.has(r.queue) ? 'dlq' : 'queue', r.queue),
          kind: 'uses',
          label: variable,
        });
      }
    }
  }
  const known = new Set(nodes.map((n) => n.id));
  return {
    nodes,
    edges: edges.filter((e) => known.has(e.from) && known.has(e.to)),
    columns: 6,
  };
}

const EDGE_VERBS: Record<EdgeKind, string> = {
  request: 'calls',
  notification: 'notifies',
  subscription: 'delivers to',
  trigger: 'triggers',
  redrive: 'moves failures to',
  uses: 'reads or writes',
  publishes: 'publishes to',
};

/** Every wire as a sentence, for screen readers and for the written page. */
export function describeEdges(graph: ArchGraph): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const name = (nodeId: string) => {
    const node = byId.get(nodeId);
    return node ? `${node.label} (${node.kind === 'dlq' ? 'dead-letter queue' : node.kind})` : nodeId;
  };
  return graph.edges.map((e) => `${name(e.from)} ${EDGE_VERBS[e.kind]} ${name(e.to)}: ${e.label}`);
}

/** A Mermaid flowchart of the graph, for docs/architecture.md (GitHub renders it). */
export function toMermaid(graph: ArchGraph): string {
  const safe = (nodeId: string) => nodeId.replace(/[^A-Za-z0-9_]/g, '_');
  const shape = (node: ArchNode) => {
    const text = `"${node.label}<br/><small>${node.detail ?? node.kind}</small>"`;
    switch (node.kind) {
      case 'bucket':
        return `[(${text})]`;
      case 'topic':
        return `{{${text}}}`;
      case 'queue':
      case 'dlq':
        return `[/${text}/]`;
      case 'client':
        return `([${text}])`;
      default:
        return `[${text}]`;
    }
  };
  const lines = ['flowchart LR'];
  for (let column = 0; column < graph.columns; column++) {
    const members = graph.nodes.filter((n) => n.column === column);
    if (members.length === 0) continue;
    for (const node of members) lines.push(`  ${safe(node.id)}${shape(node)}`);
  }
  for (const edge of graph.edges) {
    const arrow = edge.kind === 'uses' || edge.kind === 'publishes' ? '-.->' : '-->';
    const label = edge.label.replace(/["|]/g, "'").slice(0, 60);
    lines.push(`  ${safe(edge.from)} ${arrow}|"${label}"| ${safe(edge.to)}`);
  }
  for (const kind of ['service', 'bucket', 'topic', 'queue', 'dlq', 'client'] as const) {
    const members = graph.nodes.filter((n) => n.kind === kind).map((n) => safe(n.id));
    if (members.length) lines.push(`  class ${members.join(',')} ${kind}`);
  }
  lines.push(
    '  classDef service fill:#dbeafe,stroke:#1d4ed8',
    '  classDef bucket fill:#dcfce7,stroke:#15803d',
    '  classDef topic fill:#fef3c7,stroke:#b45309',
    '  classDef queue fill:#ede9fe,stroke:#6d28d9',
    '  classDef dlq fill:#fee2e2,stroke:#b91c1c',
    '  classDef client fill:#f3f4f6,stroke:#374151',
  );
  return lines.join('\n');
}

export interface Layout {
  width: number;
  height: number;
  boxes: Map<string, { x: number; y: number; w: number; h: number }>;
}

/** Columns side by side, nodes stacked in each, columns centred vertically. */
export function layout(graph: ArchGraph, box = { w: 186, h: 52, gapX: 60, gapY: 22, pad: 20 }): Layout {
  const rows = Array.from(
    { length: graph.columns },
    (_, c) => graph.nodes.filter((n) => n.column === c).length,
  );
  const tallest = Math.max(1, ...rows);
  const height = box.pad * 2 + tallest * box.h + (tallest - 1) * box.gapY;
  const used = rows.map((count, column) => ({ count, column })).filter((c) => c.count > 0);
  const width = box.pad * 2 + used.length * box.w + (used.length - 1) * box.gapX;
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  used.forEach(({ column, count }, index) => {
    const columnHeight = count * box.h + (count - 1) * box.gapY;
    const top = (height - columnHeight) / 2;
    graph.nodes
      .filter((n) => n.column === column)
      .sort((a, b) => a.row - b.row)
      .forEach((node, i) => {
        boxes.set(node.id, {
          x: box.pad + index * (box.w + box.gapX),
          y: top + i * (box.h + box.gapY),
          w: box.w,
          h: box.h,
        });
      });
  });
  return { width, height, boxes };
}
