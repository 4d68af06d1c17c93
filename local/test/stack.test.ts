import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws';
import { type LocalStack, startStack } from '../src/stack';
import { isAlive, tempDir, uniquePrefix, waitFor } from './helpers';

describe('startStack', () => {
  const temp = tempDir('stack');
  const stateFile = path.join(temp.dir, 'local.json');
  const captureDir = path.join(temp.dir, 'events');
  const notices: string[] = [];
  let stack: LocalStack;
  let s3: S3Client;

  beforeAll(async () => {
    // Must not reach the hosts: each runs with its service's environment only.
    process.env.SLUICE_TEST_PARENT_ONLY = 'leaked';
    stack = await startStack({
      services: ['ingest', 'processor'],
      entries: {
        ingest: 'local/test/fixtures/handlers/echo-http.ts',
        processor: 'local/test/fixtures/handlers/record-to-s3.ts',
      },
      namePrefix: uniquePrefix('stack'),
      stateFile,
      captureEventsDir: captureDir,
      logsDir: path.join(temp.dir, 'logs'),
      keysFile: path.join(temp.dir, 'keys.json'),
      logLevel: 'debug',
      notify: (message) => notices.push(message),
    });
    s3 = createS3Client({ endpoint: stack.awsEndpoint });
  }, 60_000);

  afterAll(async () => {
    delete process.env.SLUICE_TEST_PARENT_ONLY;
    s3?.destroy();
    await stack?.stop();
    temp.remove();
  });

  const api = (route: string, token: string | null = stack.devToken) =>
    fetch(`${stack.apiUrl}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('writes where everything is to the state file', () => {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(state).toMatchObject({
      pid: process.pid,
      awsEndpoint: stack.awsEndpoint,
      apiUrl: stack.apiUrl,
      devToken: stack.devToken,
      buckets: stack.resources.buckets,
      topics: stack.resources.topics,
      queues: stack.resources.queues,
    });
    expect(state.services.map((service: { name: string }) => service.name)).toEqual(['ingest', 'processor']);
  });

  it('serves the HTTP API from the ingest host, behind the JWT authorizer', async () => {
    expect(stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await api('/assets/env');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ service: 'ingest', function: 'ingest' });
    expect((await api('/assets/env', null)).status).toBe(401);
  });

  it('feeds an upload through SNS and SQS to the processor, as an AWS-shaped S3 event', async () => {
    const bucket = stack.resources.buckets.ingest;
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'uploads/asset-1/hello world.txt', Body: 'hi' }),
    );

    const processed = stack.resources.buckets.processed;
    const seen = await waitFor('the processor to record the upload event', async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: processed, Prefix: 'received/' }));
      for (const object of listed.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: processed, Key: object.Key }));
        const doc = JSON.parse((await got.Body?.transformToString()) ?? '{}');
        if (JSON.parse(JSON.parse(doc.record.body).Message).Records) return doc;
      }
      return undefined;
    });

    expect(seen.record.eventSourceARN).toBe(stack.resources.queues['processor-queue']?.arn);
    const s3Record = JSON.parse(JSON.parse(seen.record.body).Message).Records[0];
    expect(s3Record.s3.object.key).toBe('uploads/asset-1/hello+world.txt');
    expect(s3Record.eventTime).toMatch(/Z$/);
    expect(s3Record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);

    expect(seen.context).toMatchObject({ functionName: 'processor', memoryLimitInMB: '1769' });
    expect(seen.context.remainingMs).toBeGreaterThan(50_000);
    expect(seen.env).toEqual({
      AWS_LAMBDA_FUNCTION_NAME: 'processor',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1769',
      AWS_LAMBDA_FUNCTION_TIMEOUT: '60',
      POWERTOOLS_SERVICE_NAME: 'processor',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      INGEST_BUCKET: stack.resources.buckets.ingest,
      PIPELINE_EVENTS_TOPIC_ARN: stack.resources.topics['pipeline-events'],
    });
  });

  it('captures every event it builds, one file per invocation', () => {
    const files = readdirSync(captureDir);
    expect(files.some((file) => file.includes('-processor-'))).toBe(true);
    expect(files.some((file) => file.includes('-ingest-'))).toBe(true);
  });

  it('gives each service the environment Lambda would, resolved from the topology', () => {
    expect(stack.env('processor')).toMatchObject({
      INGEST_BUCKET: stack.resources.buckets.ingest,
      PROCESSED_BUCKET: stack.resources.buckets.processed,
      AWS_ENDPOINT_URL: stack.awsEndpoint,
      AWS_REGION: 'us-east-1',
      SLUICE_S3_FORCE_PATH_STYLE: 'true',
      AWS_LAMBDA_FUNCTION_TIMEOUT: '60',
    });
  });

  it('restarts a host that crashes, on the same port', async () => {
    const hostPid = stack.services.find((service) => service.name === 'ingest')?.pid;
    expect((await api('/assets/crash')).status).toBe(202);
    await waitFor('the ingest host to restart', () =>
      notices.some((notice) => notice === 'ingest: host restarted'),
    );
    expect(notices.some((notice) => /ingest: host exited \(code 1.*restarting \(1\/5\)/.test(notice))).toBe(
      true,
    );
    expect(hostPid !== undefined && isAlive(hostPid)).toBe(false);
    expect((await api('/assets/env')).status).toBe(200);
  });

  it('stops every process it started, and removes its state file', async () => {
    const pids = [stack.motoPid, ...stack.services.map((service) => service.pid ?? 0)];
    await stack.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
  });
});

describe('startStack with a broken handler module', () => {
  /** Child processes of this test process, with their command lines. */
  const children = () => {
    try {
      return execFileSync('pgrep', ['-a', '-P', String(process.pid)], { encoding: 'utf8' });
    } catch {
      return ''; // pgrep exits 1 when there are none
    }
  };

  it('refuses a service asked for by name whose module does not exist', async () => {
    await expect(
      startStack({
        services: ['processor'],
        entries: { processor: 'local/test/fixtures/nope.ts' },
        stateFile: false,
      }),
    ).rejects.toThrow(/handler module .*nope\.ts does not exist/);
  });

  it('fails with the reason when a host cannot start, and leaves nothing running', async () => {
    const temp = tempDir('broken');
    try {
      await expect(
        startStack({
          services: ['processor'],
          entries: { processor: 'local/test/fixtures/handlers/no-handler.ts' },
          stateFile: false,
          logsDir: temp.dir,
          keysFile: path.join(temp.dir, 'keys.json'),
        }),
      ).rejects.toThrow(/processor failed to start: .*exports no function named "handler"/);
      expect(children()).not.toMatch(/moto_server|function-host/);
    } finally {
      temp.remove();
    }
  });
});
