import type { Topology } from '@sluice/contracts';
import { buildGraph, describeEdges, toMermaid } from './graph';

/** docs/architecture.md: generated from the topology by `npm run architecture -w @sluice/web`. */
export function architectureMarkdown(topology: Topology): string {
  const graph = buildGraph(topology);
  const count = (kind: string) => graph.nodes.filter((n) => n.kind === kind).length;
  return `<!-- Generated from contracts/topology/topology.json by \`npm run architecture -w @sluice/web\`. Do not edit: a test fails when it is stale. -->

# Sluice architecture

${count('service')} services, ${count('bucket')} buckets, ${count('topic')} topics, ${count('queue')} queues and ${count('dlq')} dead-letter queues, wired as
\`contracts/topology/topology.json\` says: the CDK app deploys exactly this, the local runtime runs
exactly this. The web page draws the same graph live (\`npm start\`, then the Architecture tab).

\`\`\`mermaid
${toMermaid(graph)}
\`\`\`

Solid arrows carry events and requests; dotted ones are a service's own reads, writes and
publishes (from its environment).

## Every wire

${describeEdges(graph)
  .map((sentence) => `- ${sentence}`)
  .join('\n')}
`;
}
