#!/usr/bin/env node
// `npm test`: lint, typecheck and every workspace's tests through turbo, then one closing line
// with the counts of all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const workspaces = spawnSync('npm', ['query', '.workspace'], { cwd: root, encoding: 'utf8' });
const dirs = JSON.parse(workspaces.stdout).map((w) => w.path);
for (const dir of dirs) rmSync(join(dir, 'test-results', 'summary.json'), { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync('npx', ['turbo', 'run', 'lint', 'typecheck', 'test', '--concurrency=1', '--continue', ...extra], {
  cwd: root,
  stdio: 'inherit',
});

const total = { passed: 0, failed: 0, skipped: 0 };
for (const dir of dirs) {
  const file = join(dir, 'test-results', 'summary.json');
  if (!existsSync(file)) continue;
  const counts = JSON.parse(readFileSync(file, 'utf8'));
  for (const k of Object.keys(total)) total[k] += counts[k];
}
console.log(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(turbo.status ?? 1);
