#!/usr/bin/env node
// npm run generate -w @sluice/contracts            regenerate src/generated from schemas/
// npm run generate -w @sluice/contracts -- --check  exit 1 when the committed files are stale
import core from './generate-core.cjs';

const check = process.argv.includes('--check');
const files = await core.renderGenerated();
const stale = core.staleGeneratedFiles(files);

if (check) {
  if (stale.length > 0) {
    console.error(
      `Stale generated contracts: ${stale.join(', ')}. Run: npm run generate -w @sluice/contracts`,
    );
    process.exit(1);
  }
  console.log('Generated contracts are up to date.');
} else {
  core.writeGenerated(files);
  console.log(
    stale.length > 0 ? `Wrote ${stale.join(', ')}` : 'Generated contracts were already up to date.',
  );
}
