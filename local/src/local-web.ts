import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { aggregate, PipelineLogTailer } from './log-metrics';

/*
 * What the local HTTP API serves besides the API, on the same origin (so the page needs no CORS):
 *   GET /                 the web page (clients/web's build), and its files
 *   GET /local/metrics    the pipeline dashboard's data: logs aggregated + queue and DLQ depths
 *   GET /local/dev-token  the dev token, so that the page signs itself in locally
 * Local only: on AWS, CloudFront serves the page, CloudWatch the metrics, Cognito the tokens.
 * No CORS headers on /local/*: only the page itself may read the dev token.
 */

export interface LocalWebConfig {
  /** The built web page; undefined or missing: `/` explains how to build it. */
  webRoot?: string;
  logsDir: string;
  /** Logical queue name → URL. */
  queues: Record<string, string>;
  /** Logical names of the dead-letter queues among them. */
  deadLetterQueues: string[];
  devToken: string;
  devTokenExpiresAt?: string;
  tenantId?: string;
}

export type RequestInterceptor = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  response.end(text);
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sluice</title>
<main style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>The web page is not built</h1>
<p>Build it with <code>npm run build -w @sluice/web</code> (or <code>npx turbo run build --filter=@sluice/web</code>),
then reload. <code>npm start</code> builds it first.</p></main></html>`;

export interface QueueDepth {
  name: string;
  kind: 'queue' | 'dlq';
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepths(
  sqs: SQSClient,
  config: Pick<LocalWebConfig, 'queues' | 'deadLetterQueues'>,
) {
  const names = Object.keys(config.queues).sort();
  return Promise.all(
    names.map(async (name): Promise<QueueDepth & { error?: string }> => {
      const kind = config.deadLetterQueues.includes(name) ? 'dlq' : 'queue';
      try {
        const out = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: config.queues[name],
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        const a = out.Attributes ?? {};
        return {
          name,
          kind,
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      } catch (error) {
        return { name, kind, visible: 0, inFlight: 0, delayed: 0, error: (error as Error).message };
      }
    }),
  );
}

export function createLocalWebHandler(config: LocalWebConfig, sqs: SQSClient): RequestInterceptor {
  const tailer = new PipelineLogTailer(config.logsDir);
  const root = config.webRoot ? path.resolve(config.webRoot) : undefined;

  function serveFile(request: IncomingMessage, response: ServerResponse, pathname: string): boolean {
    if (!root || !existsSync(path.join(root, 'index.html'))) {
      if (pathname !== '/' && pathname !== '/index.html') return false;
      response.writeHead(503, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
      response.end(NOT_BUILT);
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return false;
    }
    const file = path.resolve(root, `.${relative}`);
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return false;
    if (!existsSync(file) || !statSync(file).isFile()) return false;
    const ext = path.extname(file);
    const hashed = relative.startsWith('/static/');
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
    return true;
  }

  return async (request, response) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const pathname = new URL(request.url ?? '/', 'http://local').pathname;
    if (pathname === '/local/metrics') {
      const url = new URL(request.url ?? '/', 'http://local');
      const windowMinutes = Math.min(
        24 * 60,
        Math.max(5, Number(url.searchParams.get('windowMinutes')) || 60),
      );
      const bucketSeconds = Math.min(3600, Math.max(10, Number(url.searchParams.get('bucketSeconds')) || 60));
      const snapshot = aggregate(tailer.entries(), { windowMinutes, bucketSeconds });
      json(response, 200, { ...snapshot, queues: await queueDepths(sqs, config) });
      return true;
    }
    if (pathname === '/local/dev-token') {
      json(response, 200, {
        token: config.devToken,
        tenantId: config.tenantId ?? null,
        expiresAt: config.devTokenExpiresAt ?? null,
      });
      return true;
    }
    if (pathname.startsWith('/local/')) {
      json(response, 404, { message: 'Not Found' });
      return true;
    }
    return serveFile(request, response, pathname);
  };
}

/**
 * Lets the page upload straight to the ingest bucket from the browser, as on AWS: presigned POSTs
 * and multipart part PUTs, with ETag and Location readable (Uppy needs the part ETags). Local:
 * any origin (the API's port changes from run to run).
 */
export async function allowBrowserUploads(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ['*'],
            AllowedMethods: ['GET', 'HEAD', 'POST', 'PUT'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['ETag', 'Location'],
            MaxAgeSeconds: 600,
          },
        ],
      },
    }),
  );
}
