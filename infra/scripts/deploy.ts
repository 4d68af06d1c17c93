// npm run deploy -w @sluice/infra -- [target...] [cdk options...]
//
// Targets: a service name (processor) or workspace (@sluice/processor), foundation, dashboard, edge, or
// all (the default). Each target maps to its stack, deployed with --exclusively so that nothing else is
// deployed (or bundled) alongside it. Everything from the first option on goes to `cdk deploy` as is,
// e.g. `-c stage=prod --require-approval never`.
import { spawnSync } from 'node:child_process';
import { Names, pascal } from '../src/naming';
import { loadTopology } from '../src/topology';

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

function stackOf(target: string): string {
  const service = Object.entries(topology.services).find(
    ([name, s]) => name === target || s.workspace === target,
  );
  if (service) return names.serviceStack(service[0]);
  if (['foundation', 'dashboard', 'edge'].includes(target)) return names.stack(pascal(target));
  throw new Error(
    `Unknown deploy target "${target}": use all, foundation, dashboard, edge, or one of ${Object.keys(topology.services).join(', ')}`,
  );
}

const all = targets.length === 0 || targets.includes('all');
const cdkArgs = all
  ? ['deploy', '--all', ...cdkOptions]
  : ['deploy', ...targets.map(stackOf), '--exclusively', ...cdkOptions];
console.log(`> cdk ${cdkArgs.join(' ')}`);
const result = spawnSync('npx', ['--no-install', 'cdk', ...cdkArgs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
