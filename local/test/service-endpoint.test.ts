import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws';
import { type LocalStack, startStack } from '../src/stack';
import { isAlive, tempDir, uniquePrefix, waitFor } from './helpers';

/** A pass-through proxy that counts what goes through it, by SigV4 service. */
async function countingProxy(target: string) {
  const counts = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const service =
      /\/([a-z0-9-]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'other';
    counts.set(service, (counts.get(service) ?? 0) + 1);
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers, agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

describe('startStack with a serviceEndpoint', () => {
  const temp = tempDir('service-endpoint');
  let stack: LocalStack;
  let proxy: Awaited<ReturnType<typeof countingProxy>> | undefined;
  let s3: S3Client;
  let given: string | undefined;

  beforeAll(async () => {
    stack = await startStack({
      services: ['processor'],
      entries: { processor: 'local/test/fixtures/handlers/record-to-s3.ts' },
      namePrefix: uniquePrefix('endpoint'),
      stateFile: false,
      logsDir: path.join(temp.dir, 'logs'),
      keysFile: path.join(temp.dir, 'keys.json'),
      serviceEndpoint: async (motoEndpoint) => {
        given = motoEndpoint;
        proxy = await countingProxy(motoEndpoint);
        return proxy.url;
      },
    });
    s3 = createS3Client({ endpoint: stack.awsEndpoint });
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
    await proxy?.close();
    temp.remove();
  });

  it('gives the hosts the answered endpoint, for their handlers and their pollers', async () => {
    expect(given).toBe(stack.awsEndpoint);
    expect(stack.env('processor').AWS_ENDPOINT_URL).toBe(proxy?.url);
    await s3.send(
      new PutObjectCommand({ Bucket: stack.resources.buckets.ingest, Key: 'uploads/x.txt', Body: 'x' }),
    );
    // The fixture handler stores each record it gets in the processed bucket, through the proxy.
    await waitFor('the handler to write through the proxy', () => (proxy?.counts.get('s3') ?? 0) > 0, 30_000);
    expect(proxy?.counts.get('sqs') ?? 0).toBeGreaterThan(0);
    const received = await waitFor(
      'a received record',
      async () => {
        const out = await s3.send(
          new ListObjectsV2Command({ Bucket: stack.resources.buckets.processed, Prefix: 'received/' }),
        );
        return out.Contents?.[0]?.Key;
      },
      30_000,
    );
    const body = await s3.send(
      new GetObjectCommand({ Bucket: stack.resources.buckets.processed, Key: received }),
    );
    expect(JSON.parse((await body.Body?.transformToString()) ?? '{}').record.eventSource).toBe('aws:sqs');
  });

  it("reports a restarted host's new PID", async () => {
    const service = stack.services.find((s) => s.name === 'processor');
    const before = service?.pid as number;
    expect(isAlive(before)).toBe(true);
    process.kill(before, 'SIGKILL');
    const after = await waitFor(
      'the processor host to restart',
      () => (service?.pid !== undefined && service.pid !== before ? service.pid : undefined),
      30_000,
    );
    expect(isAlive(after)).toBe(true);
  });
});
