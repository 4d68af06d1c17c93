#!/usr/bin/env node
// Bundle size and init time per service, bundled the way the CDK app bundles them (esbuild, ESM,
// minified, tree-shaken, the AWS SDK bundled, native modules external and installed beside the
// bundle: see infra/src/constructs/service-function.ts). Init time: a fresh Node process importing
// the bundle with the service's environment, median of RUNS runs. Locally this is Node 20 on this
// machine; on Lambda it is nodejs22.x on arm64, so compare services with each other, not with AWS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'bench', '.out');
const RUNS = Number(process.env.SLUICE_BENCH_RUNS ?? 7);
const topology = JSON.parse(readFileSync(join(root, 'contracts/topology/topology.json'), 'utf8'));

// Placeholder values: init only reads configuration, it never calls AWS.
const fakeEnv = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  // The search index on AWS (S3 Vectors); infra does not set it yet.
  VECTOR_BUCKET_NAME: 'sluice-bench-vectors',
};
function serviceEnv(service) {
  const env = { ...process.env, ...fakeEnv };
  for (const [name, ref] of Object.entries(service.environment ?? {})) {
    if ('value' in ref) env[name] = ref.value;
    else if ('bucket' in ref) env[name] = `sluice-bench-${ref.bucket}`;
    else if ('topic' in ref) env[name] = `arn:aws:sns:us-east-1:123456789012:sluice-bench-${ref.topic}`;
    else if ('queue' in ref)
      env[name] = `https://sqs.us-east-1.amazonaws.com/123456789012/sluice-bench-${ref.queue}`;
  }
  return env;
}

function packageOf(input) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1];
  return input.split('/').slice(0, 2).join('/');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const rows = [];
for (const [name, service] of Object.entries(topology.services)) {
  const outfile = join(outDir, `${name}.mjs`);
  const result = await build({
    entryPoints: [join(root, service.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    treeShaking: true,
    mainFields: ['module', 'main'],
    // The native modules infra installs beside the bundle (NATIVE_MODULES in infra/src/topology.ts).
    external: ['sharp'],
    metafile: true,
    logLevel: 'error',
  });
  const bytes = readFileSync(outfile);
  const byPackage = new Map();
  for (const [input, info] of Object.entries(
    result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs,
  )) {
    const pkg = packageOf(input);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
  }
  const largest = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const probe = join(outDir, `${name}-probe.mjs`);
  writeFileSync(
    probe,
    `const t0 = performance.now();\nawait import(${JSON.stringify(outfile)});\nprocess.stdout.write(String(performance.now() - t0));\n`,
  );
  const times = [];
  for (let i = 0; i < RUNS; i += 1) {
    const run = spawnSync(process.execPath, [probe], {
      env: serviceEnv(service),
      encoding: 'utf8',
      cwd: root,
    });
    if (run.status !== 0)
      throw new Error(
        `${name} failed to initialise: ${run.stderr
          .split('\n')
          .filter((l) => l.length < 400)
          .join('\n')}`,
      );
    times.push(Number(run.stdout));
  }
  rows.push({
    service: name,
    kb: (bytes.length / 1024).toFixed(1),
    gzipKb: (gzipSync(bytes).length / 1024).toFixed(1),
    initMs: median(times).toFixed(1),
    largest: largest.map(([pkg, b]) => `${pkg} ${(b / 1024).toFixed(0)} KB`).join(', '),
  });
}

console.log(
  `node ${process.version}, ${RUNS} runs each, median init (import of the bundle, native modules from node_modules)\n`,
);
console.log('| service | bundle KB | gzip KB | init ms | largest contributors |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.service} | ${r.kb} | ${r.gzipKb} | ${r.initMs} | ${r.largest} |`);
rmSync(outDir, { recursive: true, force: true });
