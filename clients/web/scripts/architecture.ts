/*
 * Writes docs/architecture.md from the topology; `--check` fails when the committed page is stale.
 *   npm run architecture -w @sluice/web [-- --check]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { topology } from '@sluice/contracts';
import { architectureMarkdown } from '../src/architecture/page';

const file = path.resolve(__dirname, '../../../docs/architecture.md');
const next = architectureMarkdown(topology);
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== next) {
    console.error(`${file} is stale: run npm run architecture -w @sluice/web`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, next);
  console.log(`wrote ${file}`);
}
