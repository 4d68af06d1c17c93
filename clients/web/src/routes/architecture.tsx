import type { Topology } from '@sluice/contracts';
import topologyJson from '@sluice/contracts/topology/topology.json';
import { buildGraph, describeEdges, type EdgeKind, layout } from '../architecture/graph';

// The JSON itself, not the package index: the page needs no validators.
const graph = buildGraph(topologyJson as unknown as Topology);
const sentences = describeEdges(graph);

const KIND_LABEL: Record<string, string> = {
  client: 'clients',
  service: 'Lambda function',
  bucket: 'S3 bucket',
  topic: 'SNS topic',
  queue: 'SQS queue',
  dlq: 'dead-letter queue',
};

const dashed = (kind: EdgeKind) => kind === 'uses' || kind === 'publishes';

/** The topology drawn: generated from contracts/topology/topology.json when the page is built. */
export function ArchitecturePage() {
  const { width, height, boxes } = layout(graph);
  return (
    <section aria-labelledby="architecture-title">
      <h1 id="architecture-title">Architecture</h1>
      <p class="lead">
        Drawn from <code>contracts/topology/topology.json</code>, the same data the CDK app deploys and the
        local runtime runs: it cannot go stale.
      </p>
      <div class="diagram-wrap">
        <svg
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          role="img"
          aria-labelledby="arch-svg-title arch-svg-desc"
          class="diagram"
        >
          <title id="arch-svg-title">Sluice architecture diagram</title>
          <desc id="arch-svg-desc">
            {graph.nodes.length} components and {graph.edges.length} connections; the list below the diagram
            names every connection.
          </desc>
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
            </marker>
          </defs>
          {graph.edges.map((edge, i) => {
            const a = boxes.get(edge.from);
            const b = boxes.get(edge.to);
            if (!a || !b) return null;
            const forward = b.x > a.x;
            const sameColumn = b.x === a.x;
            const x1 = sameColumn ? a.x + a.w / 2 : forward ? a.x + a.w : a.x;
            const y1 = sameColumn ? a.y + a.h : a.y + a.h / 2;
            const x2 = sameColumn ? b.x + b.w / 2 : forward ? b.x : b.x + b.w;
            const y2 = sameColumn ? b.y : b.y + b.h / 2;
            const bend = sameColumn ? 0 : Math.max(30, Math.abs(x2 - x1) / 2);
            const d = sameColumn
              ? `M${x1},${y1} L${x2},${y2}`
              : `M${x1},${y1} C${x1 + (forward ? bend : -bend)},${y1} ${x2 - (forward ? bend : -bend)},${y2} ${x2},${y2}`;
            return (
              <path
                key={`${edge.from}-${edge.to}-${i}`}
                d={d}
                class={`edge edge-${edge.kind}`}
                stroke-dasharray={dashed(edge.kind) ? '4 4' : undefined}
                marker-end="url(#arrow)"
              >
                <title>{sentences[i]}</title>
              </path>
            );
          })}
          {graph.nodes.map((node) => {
            const box = boxes.get(node.id);
            if (!box) return null;
            return (
              <g key={node.id} class={`node node-${node.kind}`} data-node={node.id}>
                <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={node.kind === 'bucket' ? 14 : 6} />
                <text x={box.x + box.w / 2} y={box.y + 21} text-anchor="middle" class="node-label">
                  {node.label}
                </text>
                <text x={box.x + box.w / 2} y={box.y + 38} text-anchor="middle" class="node-detail">
                  {node.detail ?? KIND_LABEL[node.kind]}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <ul class="legend" aria-label="Legend">
        {Object.entries(KIND_LABEL).map(([kind, label]) => (
          <li key={kind}>
            <span class={`key key-${kind}`} aria-hidden="true" />
            {label}
          </li>
        ))}
        <li>
          <svg width="28" height="8" aria-hidden="true">
            <line x1="0" x2="28" y1="4" y2="4" class="edge" stroke-dasharray="4 4" />
          </svg>
          reads, writes, publishes
        </li>
      </ul>
      <h2>Every connection</h2>
      <ul class="wires">
        {sentences.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </section>
  );
}
