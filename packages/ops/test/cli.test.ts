import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli';
import { type Deployment, DeploymentError, parseDeployment } from '../src/deployment';

function io(options: { tty?: boolean } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c;
  });
  stderr.on('data', (c) => {
    err += c;
  });
  return { io: { stdout, stderr, stdin }, out: () => out, err: () => err };
}

const deployment: Deployment = {
  region: 'us-east-1',
  awsEndpoint: 'http://127.0.0.1:9',
  buckets: { ingest: 'i', processed: 'p', archive: 'a' },
  topics: {},
  queues: {
    'processor-queue': { url: 'http://127.0.0.1:9/q', arn: 'arn:q' },
    'processor-dlq': { url: 'http://127.0.0.1:9/d', arn: 'arn:d' },
  },
};

describe('sluice-ops CLI', () => {
  it('prints its usage with exit code 0 on --help and 2 without a command', async () => {
    const a = io();
    await expect(runCli(['--help'], a.io)).resolves.toBe(0);
    expect(a.out()).toContain('sluice-ops dlq redrive <queue>');
    const b = io();
    await expect(runCli([], b.io)).resolves.toBe(2);
  });

  it.each([
    [['frobnicate'], 'Unknown command "frobnicate"'],
    [['dlq', 'list', '--bogus'], "Unknown option '--bogus'"],
    [['dlq', 'inspect'], 'dlq inspect: which queue?'],
    [['dlq', 'rewind', 'processor'], 'Unknown dlq command "rewind"'],
    [['reprocess', '--source', 'everything'], '--source must be one of manifests, archive, ingest'],
    [['reprocess', '--aws'], 'reprocess on AWS needs --function-arn, --role-arn and --account-id'],
    [['restore'], 'restore: which asset?'],
  ])('refuses %j with a clear message (exit 2)', async (argv, message) => {
    const t = io();
    await expect(runCli(argv, t.io, () => deployment)).resolves.toBe(2);
    expect(t.err()).toContain(message);
  });

  it('never purges without --yes when there is no terminal to confirm on, before any call to SQS', async () => {
    const t = io();
    // The deployment's endpoint is unreachable: any SQS call would fail the command another way.
    await expect(runCli(['dlq', 'purge', 'processor'], t.io, () => deployment)).resolves.toBe(2);
    expect(t.err()).toContain('Refusing to purge processor-dlq without --yes');
  });

  it('explains a missing deployment (exit 1)', async () => {
    const t = io();
    await expect(
      runCli(['dlq', 'list'], t.io, () => {
        throw new DeploymentError(
          'No deployment found. Start the local stack (npm start) or pass --deployment <file>',
        );
      }),
    ).resolves.toBe(1);
    expect(t.err()).toContain('No deployment found');
  });

  it('checks a deployment file', () => {
    expect(() => parseDeployment({ buckets: { a: 1 }, queues: {} }, 'x.json')).toThrow(
      'x.json: buckets must map names to bucket names',
    );
    expect(parseDeployment({ buckets: {}, queues: {} }, 'x.json')).toEqual({
      region: 'us-east-1',
      buckets: {},
      topics: {},
      queues: {},
    });
  });
});
