// npm run deploy -w @sluice/infra -- [target...] [cdk options...]
//
// Targets: a service or batch function name (processor, reprocess), a workspace (@sluice/processor:
// every stack of its services and batch functions), foundation, dashboard, edge, or all (the default).
// The stacks are deployed with --exclusively so that nothing else is deployed (or bundled) with them. Everything from the first option on goes to `cdk deploy` as is,
// e.g. `-c stage=prod --require-approval never`.
import { spawnSync } from 'node:child_process';
import { Names, pascal } from '../src/naming';
import { batchOperationsOf, loadTopology } from '../src/topology';

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const targets = firstOption === -1 ? args : args.slice(0, firstOption);
const cdkOptions = firstOption === -1 ? [] : args.slice(firstOption);

const stageArg = cdkOptions
  .map((a, i) =>
    a === '-c' || a === '--context'
      ? cdkOptions[i + 1]
      : a.startsWith('--context=')
        ? a.slice(10)
        : undefined,
  )
  .find((c) => c?.startsWith('stage='));
const names = new Names(stageArg?.slice('stage='.length) ?? 'dev');
const topology = loadTopology();

/** The stacks a target names: a workspace may own several (ingest and ingest-internal, processor and reprocess). */
function stacksOf(target: string): string[] {
  const batch = batchOperationsOf(topology);
  const stacks = [
    ...Object.entries(topology.services)
      .filter(([name, s]) => name === target || s.workspace === target)
      .map(([name]) => names.serviceStack(name)),
    ...Object.entries(batch)
      .filter(([name, b]) => name === target || b.workspace === target)
      .map(([name]) => names.batchOperationsStack(name)),
  ];
  if (['foundation', 'dashboard', 'edge'].includes(target)) stacks.push(names.stack(pascal(target)));
  if (stacks.length === 0) {
    const known = [...Object.keys(topology.services), ...Object.keys(batch)].join(', ');
    throw new Error(
      `Unknown deploy target "${target}": use all, foundation, dashboard, edge, or one of ${known}`,
    );
  }
  return stacks;
}

const all = targets.length === 0 || targets.includes('all');
const cdkArgs = all
  ? ['deploy', '--all', ...cdkOptions]
  : ['deploy', ...new Set(targets.flatMap(stacksOf)), '--exclusively', ...cdkOptions];
console.log(`> cdk ${cdkArgs.join(' ')}`);
const result = spawnSync('npx', ['--no-install', 'cdk', ...cdkArgs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
