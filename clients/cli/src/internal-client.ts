import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { RedriveResponse, ReprocessResponse } from '@sluice/contracts';
import { SignatureV4 } from '@smithy/signature-v4';
import { CliError, ExitCode } from './errors';

/*
 * The internal endpoints (POST /internal/reprocess, POST /internal/dlq/{queue}/redrive) sit behind a
 * Lambda function URL with AWS_IAM auth: requests are SigV4-signed for the `lambda` service. Locally
 * the emulated function URL checks the signature against the local credentials; on AWS the default
 * credential chain signs, and IAM needs lambda:InvokeFunctionUrl.
 */

class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const isLocal = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url);

export class InternalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly region: string,
  ) {}

  private async post<T>(path: string, body: unknown): Promise<T> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${path}`);
    const text = JSON.stringify(body);
    const credentials = isLocal(url.toString())
      ? { accessKeyId: 'test', secretAccessKey: 'test' }
      : defaultProvider();
    const signer = new SignatureV4({
      credentials,
      region: this.region,
      service: 'lambda',
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'x-amz-content-sha256': createHash('sha256').update(text).digest('hex'),
      },
      body: text,
    });
    const headers = Object.fromEntries(
      Object.entries(signed.headers)
        .filter(([name]) => name !== 'host')
        .map(([name, value]) => [name, String(value)]),
    );
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: text });
    } catch (error) {
      throw new CliError(
        `Cannot reach the internal endpoint at ${this.baseUrl} (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`,
        ExitCode.unreachable,
        isLocal(this.baseUrl) ? 'Is the local stack running? Start it with `npm start`.' : undefined,
      );
    }
    const answer = (await response.json().catch(() => undefined)) as
      | (T & { error?: { code: string; message: string }; message?: string })
      | undefined;
    if (!response.ok) {
      const message = answer?.error?.message ?? answer?.message ?? `HTTP ${response.status}`;
      throw new CliError(
        `${path}: ${message} (HTTP ${response.status}${answer?.error?.code ? `, ${answer.error.code}` : ''})`,
        response.status === 403 || response.status === 401
          ? ExitCode.auth
          : response.status === 404
            ? ExitCode.notFound
            : ExitCode.failed,
        response.status === 403
          ? 'The internal endpoints need IAM credentials allowed to invoke the function URL.'
          : undefined,
      );
    }
    return answer as T;
  }

  reprocess(tenantId: string, assetId: string): Promise<ReprocessResponse> {
    return this.post('/internal/reprocess', { tenantId, assetId });
  }

  redrive(queue: string, maxMessages?: number): Promise<RedriveResponse> {
    return this.post(
      `/internal/dlq/${encodeURIComponent(queue)}/redrive`,
      maxMessages ? { maxMessages } : {},
    );
  }
}
