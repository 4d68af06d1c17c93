import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of moto that injects the faults AWS clients meet in production:
 * S3 throttling (503 SlowDown), SNS throttling (400 Throttling), SQS internal errors (500), reset
 * connections, and whole outages (the port refuses connections for a while, as an emulator that
 * restarts would, but moto keeps its state). The services get its URL as AWS_ENDPOINT_URL (and
 * their SQS pollers use it too), through startStack's `serviceEndpoint` hook.
 *
 * Requests are told apart by the SigV4 credential scope (`.../s3/aws4_request`), then by operation:
 * `x-amz-target` (SQS's JSON protocol), `Action=` (SNS's query protocol), method and headers (S3).
 */

export type AwsService = 's3' | 'sqs' | 'sns' | 'other';
export type FaultAction = 'slow-down' | 'throttle' | 'internal-error' | 'reset';

export interface FaultRule {
  service: AwsService;
  /** Operation names (`PutObject`, `CopyObject`, `Publish`, `ReceiveMessage`, ...); all when left out. */
  operations?: string[];
  action: FaultAction;
  /** Fault every Nth matching request. Default 1 (every one). */
  every?: number;
  /** Stop after this many faults. */
  count: number;
}

export interface RequestInfo {
  service: AwsService;
  operation: string;
}

interface ActiveRule extends FaultRule {
  seen: number;
  injected: number;
}

function serviceOf(req: http.IncomingMessage): AwsService {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([a-z0-9-]+)\/aws4_request/.exec(
    String(req.headers.authorization ?? ''),
  )?.[1];
  if (scope === 's3' || scope === 'sqs' || scope === 'sns') return scope;
  // Presigned URLs carry the scope in the query string; presigned POSTs in the form (S3 either way).
  if (/X-Amz-Credential=[^&]*%2Fs3%2F/.test(req.url ?? '') || req.method === 'POST') return 's3';
  return 'other';
}

/** The AWS operation a request is, as far as these three services go. */
export function describeRequest(req: http.IncomingMessage, body: Buffer): RequestInfo {
  const service = serviceOf(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target) return { service, operation: target.split('.').pop() ?? target };
  if (service === 'sns' || service === 'sqs') {
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1];
    return { service, operation: action ?? 'unknown' };
  }
  const url = new URL(req.url ?? '/', 'http://proxy');
  const method = req.method ?? 'GET';
  let operation = method;
  if (method === 'PUT')
    operation = req.headers['x-amz-copy-source']
      ? url.searchParams.has('partNumber')
        ? 'UploadPartCopy'
        : 'CopyObject'
      : url.searchParams.has('partNumber')
        ? 'UploadPart'
        : 'PutObject';
  else if (method === 'GET')
    operation = url.searchParams.has('list-type')
      ? 'ListObjectsV2'
      : url.searchParams.has('versions')
        ? 'ListObjectVersions'
        : 'GetObject';
  else if (method === 'HEAD') operation = 'HeadObject';
  else if (method === 'DELETE')
    operation = url.searchParams.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  else if (method === 'POST')
    operation = url.searchParams.has('uploads')
      ? 'CreateMultipartUpload'
      : url.searchParams.has('uploadId')
        ? 'CompleteMultipartUpload'
        : url.searchParams.has('delete')
          ? 'DeleteObjects'
          : 'PostObject';
  return { service, operation };
}

function faultResponse(
  res: http.ServerResponse,
  req: http.IncomingMessage,
  action: Exclude<FaultAction, 'reset'>,
): void {
  const json = String(req.headers['content-type'] ?? '').includes('json');
  const head = req.method === 'HEAD';
  if (action === 'slow-down') {
    res.writeHead(503, { 'content-type': 'application/xml', 'x-amz-request-id': 'fault-proxy' });
    res.end(
      head
        ? undefined
        : '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>',
    );
    return;
  }
  const [status, code, type, message] =
    action === 'throttle'
      ? [400, 'Throttling', 'Sender', 'Rate exceeded']
      : [500, 'InternalError', 'Receiver', 'We encountered an internal error. Please try again.'];
  if (json) {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${code};${type}`,
      'x-amzn-requestid': 'fault-proxy',
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
    return;
  }
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'fault-proxy' });
  res.end(
    `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  );
}

export class FaultProxy {
  private readonly rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private server: http.Server;
  private port = 0;
  /** Requests seen, by `service:operation`. */
  readonly seen = new Map<string, number>();
  /** Faults injected, by `service:operation:action`. */
  readonly injected = new Map<string, number>();
  /** Outages so far. */
  outages = 0;
  /** Requests forwarded and not answered yet, with when they came in. */
  readonly pending = new Map<number, { name: string; since: number }>();
  private nextId = 0;

  private constructor(public target: string) {
    this.server = this.createServer();
  }

  /** Starts on a free loopback port, forwarding to `target` (moto's endpoint). */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private createServer(): http.Server {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Adds a fault rule; answers it, so a test can read how many faults it injected. */
  inject(rule: FaultRule): { readonly injected: number } {
    const active: ActiveRule = { ...rule, seen: 0, injected: 0 };
    this.rules.push(active);
    return active;
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** Total faults injected so far. */
  get totalInjected(): number {
    return [...this.injected.values()].reduce((a, b) => a + b, 0);
  }

  private pick(info: RequestInfo): ActiveRule | undefined {
    for (const rule of this.rules) {
      if (rule.injected >= rule.count || rule.service !== info.service) continue;
      if (rule.operations && !rule.operations.includes(info.operation)) continue;
      rule.seen++;
      if (rule.seen % (rule.every ?? 1) !== 0) continue;
      rule.injected++;
      return rule;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // The client went away.
    }
    const body = Buffer.concat(chunks);
    const info = describeRequest(req, body);
    const name = `${info.service}:${info.operation}`;
    this.seen.set(name, (this.seen.get(name) ?? 0) + 1);
    const rule = this.pick(info);
    if (rule) {
      const key = `${name}:${rule.action}`;
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      if (rule.action === 'reset') {
        req.socket.destroy();
        return;
      }
      faultResponse(res, req, rule.action);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, { name, since: Date.now() });
    res.on('close', () => this.pending.delete(id));
    // The body is read already: no 100-continue handshake with moto.
    const { expect: _expect, ...headers } = req.headers;
    const upstream = http.request(
      `${this.target}${req.url ?? '/'}`,
      { method: req.method, headers, agent: this.agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => {
      // moto went away mid-request: the client sees a reset, as it would.
      req.socket.destroy();
    });
    upstream.end(body);
  }

  /**
   * An outage: the port stops accepting and every open connection is cut, for `ms`; then it
   * listens again on the same port. moto itself keeps running, with all its state.
   */
  async outage(ms: number): Promise<void> {
    this.outages++;
    const port = this.port;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.server = this.createServer();
    await this.listen(port);
  }

  /** Requests waiting longer than `ms` for moto's answer, oldest first (a stall shows here). */
  stalled(ms = 5000): string[] {
    const now = Date.now();
    return [...this.pending.values()]
      .filter((p) => now - p.since > ms)
      .map((p) => `${p.name} waiting ${now - p.since} ms`);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.agent.destroy();
  }
}
