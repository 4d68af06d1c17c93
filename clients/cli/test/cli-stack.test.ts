import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SluiceClient } from '@sluice/client';
import { type LocalStack, startStack } from '@sluice/local';
import { runCli } from '../src/main';
import { UploadJournal } from '../src/upload/journal';
import { MIB } from '../src/upload/uploader';
import { collectFiles } from '../src/upload/walk';
import { captureIo, fakeJwt, tempDir } from './support';

/*
 * The CLI against the real local stack: a folder of fixtures uploaded and followed to the end,
 * a rejection with its reason, a rerun that skips what is done, status, search, watch, a multipart
 * upload resumed after an interruption, reprocess, DLQs, and the errors a user meets.
 */

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures');
const GOOD = ['jpeg/baseline-canon-40d.jpg', 'jpeg/progressive.jpg', 'png/palette.png'];
const BROKEN = 'broken/corrupt-header.jpg';

let stack: LocalStack;
let dir: string;
let env: NodeJS.ProcessEnv;

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ ...env, ...extraEnv }, dir);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  dir = tempDir('stack');
  stack = await startStack({
    stateFile: path.join(dir, 'local.json'),
    namePrefix: 'cli-test',
    logsDir: path.join(dir, 'logs'),
    webRoot: false,
  });
  env = {
    SLUICE_LOCAL_STATE: path.join(dir, 'local.json'),
    SLUICE_CONFIG: path.join(dir, 'config.json'),
    SLUICE_STATE_DIR: path.join(dir, 'state'),
  };
  const photos = path.join(dir, 'photos');
  mkdirSync(path.join(photos, 'nested'), { recursive: true });
  for (const file of GOOD) copyFileSync(path.join(FIXTURES, file), path.join(photos, path.basename(file)));
  copyFileSync(path.join(FIXTURES, BROKEN), path.join(photos, 'nested', path.basename(BROKEN)));
  writeFileSync(path.join(photos, '.DS_Store'), 'finder noise');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Summary {
  files: { file: string; assetId: string; upload: string; outcome: string; rejection?: { reason: string } }[];
  totals: Record<string, number>;
}
let summary: Summary;

test('uploads a folder, waits for the pipeline, and reports processed and rejected files with reasons', async () => {
  const result = await cli(['upload', 'photos', '--json']);
  summary = JSON.parse(result.out) as Summary;
  expect(summary.totals).toMatchObject({
    files: 4,
    uploaded: 4,
    skipped: 0,
    uploadFailed: 0,
    settledOk: 3,
    rejected: 1,
    pending: 0,
  });
  const byName = Object.fromEntries(summary.files.map((f) => [f.file, f]));
  expect(Object.keys(byName).sort()).toEqual([
    'photos/baseline-canon-40d.jpg',
    'photos/nested/corrupt-header.jpg',
    'photos/palette.png',
    'photos/progressive.jpg',
  ]);
  expect(byName['photos/palette.png']?.outcome).toBe('archived');
  expect(byName['photos/nested/corrupt-header.jpg']).toMatchObject({
    outcome: 'rejected',
    rejection: { reason: 'undecodable-image' },
  });
  // A rejected file makes the run exit 1, for scripts.
  expect(result.code).toBe(1);
});

test('prints a readable summary, and a rerun skips what the journal says is uploaded', async () => {
  const result = await cli(['upload', 'photos', '--no-progress']);
  expect(result.out).toMatch(/0 uploaded, 4 already uploaded \(skipped\)/);
  expect(result.out).toMatch(/processed\s+3/);
  expect(result.out).toMatch(/rejected\s+1/);
  expect(result.out).toMatch(
    /photos\/nested\/corrupt-header\.jpg\s+undecodable-image\s+Image could not be decoded/,
  );
  expect(result.code).toBe(1);
});

test('status shows each stage, and --json is the API answer', async () => {
  const asset = summary.files.find((f) => f.file === 'photos/palette.png')?.assetId as string;
  const human = await cli(['status', asset]);
  expect(human.code).toBe(0);
  expect(human.out).toContain('Stages: ✔ uploaded   ✔ processed   ✔ indexed   ✔ archived');
  expect(human.out).toMatch(/image\s+68×68/);
  const json = await cli(['status', asset, '--json']);
  expect(JSON.parse(json.out)).toMatchObject({ assetId: asset, state: 'archived', fileName: 'palette.png' });
  const rejected = summary.files.find((f) => f.outcome === 'rejected')?.assetId as string;
  const refused = await cli(['status', rejected]);
  expect(refused.out).toMatch(/Rejected by process: undecodable-image/);
  expect(refused.code).toBe(1);
  const missing = await cli(['status', '00000000-0000-4000-8000-000000000000']);
  expect(missing.code).toBe(5);
  expect(missing.err).toMatch(/No asset 00000000-0000-4000-8000-000000000000 \(HTTP 404, not-found\)/);
});

test('search finds by text, by filters, and by similarity', async () => {
  const text = await cli(['search', 'palette', '--json']);
  expect(JSON.parse(text.out).results.map((r: { fileName: string }) => r.fileName)).toEqual(['palette.png']);
  const wide = await cli(['search', '--kind', 'image', '--min-width', '150', '--json']);
  expect(JSON.parse(wide.out).results.map((r: { fileName: string }) => r.fileName)).toEqual([
    'progressive.jpg',
  ]);
  const asset = summary.files.find((f) => f.file === 'photos/progressive.jpg')?.assetId as string;
  const similar = await cli(['search', '--similar-to', asset]);
  expect(similar.code).toBe(0);
  expect(similar.out).toMatch(/baseline-canon-40d\.jpg/);
  const bad = await cli(['search', '--color', 'red']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--color must be a hex color');
});

test('watch prints the live events of an upload', async () => {
  const watching = cli(['watch', '--json', '--count', '3', '--timeout', '90']);
  // Upload once the watch queue is subscribed to the topic.
  const sns = new SNSClient({
    endpoint: stack.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const topicArn = stack.resources.topics['pipeline-events'];
  for (let i = 0; i < 100; i++) {
    const { Subscriptions = [] } = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    if (Subscriptions.some((s) => s.Endpoint?.includes('sluice-watch-'))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  sns.destroy();
  const file = path.join(dir, 'one', 'gps.jpg');
  mkdirSync(path.dirname(file), { recursive: true });
  copyFileSync(path.join(FIXTURES, 'jpeg/gps-southern.jpg'), file);
  const upload = JSON.parse((await cli(['upload', file, '--json'])).out) as Summary;
  const asset = upload.files[0]?.assetId;
  const result = await watching;
  const events = result.out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; assetId: string });
  expect(result.code).toBe(0);
  expect(
    events
      .filter((e) => e.assetId === asset)
      .map((e) => e.type)
      .sort(),
  ).toEqual(['asset.archived', 'asset.indexed', 'asset.processed']);
});

test('a multipart upload interrupted after one part resumes with the missing parts only', async () => {
  const file = path.join(dir, 'big', 'big.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  const bytes = Buffer.from(randomBytes((11 * MIB * 3) / 4).toString('base64'));
  writeFileSync(file, bytes);
  // The interrupted first run: the upload created and its first part sent, then nothing.
  const client = new SluiceClient({ baseUrl: stack.apiUrl, token: stack.devToken });
  const upload = await client.createMultipartUpload({
    filename: 'big.txt',
    type: 'text/plain',
  });
  const { url } = await client.signPart(upload, 1);
  const first = await fetch(url, { method: 'PUT', body: bytes.subarray(0, 5 * MIB) });
  expect(first.status).toBe(200);
  const [local] = collectFiles([file]);
  const journal = new UploadJournal(path.join(dir, 'resume.json'));
  await journal.set(UploadJournal.fingerprint(stack.apiUrl, local as never), {
    file,
    size: bytes.length,
    mtimeMs: local?.mtimeMs ?? 0,
    apiUrl: stack.apiUrl,
    state: 'uploading',
    assetId: upload.assetId,
    key: upload.key,
    multipart: { uploadId: upload.uploadId, key: upload.key, partSize: 5 * MIB },
    parts: [],
  });

  const result = await cli([
    'upload',
    file,
    '--journal',
    path.join(dir, 'resume.json'),
    '--multipart-threshold',
    '5',
    '--part-size',
    '5',
    '--json',
  ]);
  const report = JSON.parse(result.out) as Summary & { files: { resumed: boolean; multipart: boolean }[] };
  expect(report.files[0]).toMatchObject({
    assetId: upload.assetId,
    upload: 'uploaded',
    multipart: true,
    resumed: true,
    partsSent: 2,
  });
  expect(['archived', 'rejected']).toContain(report.files[0]?.outcome);
  // S3 holds exactly the file: the part sent before plus the two sent now.
  const status = await client.getAsset(upload.assetId as string);
  expect(status.size).toBe(bytes.length);
  if (status.sha256) expect(status.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  const saved = JSON.parse(readFileSync(path.join(dir, 'resume.json'), 'utf8'));
  expect(Object.values(saved.entries)).toEqual([
    expect.objectContaining({ state: 'uploaded', assetId: upload.assetId }),
  ]);
});

test('reprocess sends an asset through again; dlq list shows the dead-letter queues', async () => {
  const asset = summary.files.find((f) => f.file === 'photos/palette.png')?.assetId as string;
  const again = await cli(['reprocess', asset, '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out)).toMatchObject({ assetId: asset, tenantId: 'dev', from: 'archive' });
  const dlq = await cli(['dlq', 'list', '--json']);
  expect(dlq.code).toBe(0);
  expect(
    JSON.parse(dlq.out)
      .map((q: { deadLetterQueue: string }) => q.deadLetterQueue)
      .sort(),
  ).toEqual(['archiver-dlq', 'indexer-dlq', 'processor-dlq']);
  const redrive = await cli(['dlq', 'redrive', 'processor', '--json']);
  expect(redrive.code).toBe(0);
  expect(JSON.parse(redrive.out)).toEqual([expect.objectContaining({ queue: 'processor-queue', moved: 0 })]);
  const unknown = await cli(['dlq', 'redrive', 'nope']);
  expect(unknown.code).toBe(2);
});

test('clear errors: a refused token (exit 4), an unreachable API (exit 3)', async () => {
  const forged = await cli(['status', summary.files[0]?.assetId as string], {
    SLUICE_TOKEN: fakeJwt({ sub: 'x', tenant_id: 'dev', exp: Math.floor(Date.now() / 1000) + 3600 }),
  });
  expect(forged.code).toBe(4);
  expect(forged.err).toMatch(/The API refused the token/);
  expect(forged.err).toMatch(/sluice login/);
  const { findFreePort } = await import('@sluice/local');
  const closed = `http://127.0.0.1:${await findFreePort()}`;
  const down = await cli(['upload', 'photos', '--no-wait', '--no-resume', '--api', closed]);
  expect(down.code).toBe(3);
  expect(down.err).toMatch(new RegExp(`Cannot reach the Sluice API at ${closed} \\(ECONNREFUSED\\)`));
  expect(down.err).toContain('npm start');
});
