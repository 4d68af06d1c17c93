import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/*
 * The local stand-in for a Lambda function URL's AWS_IAM auth: the request must carry an AWS
 * Signature Version 4 (Authorization header) made with a known access key for this region and
 * service, at most 15 minutes off. The signature is recomputed with the AWS SDK's own signer over
 * the headers the caller signed, and compared in constant time. What IAM would then decide (the
 * caller's lambda:InvokeFunctionUrl permission) has no local equivalent: every known key is allowed.
 */

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** Path as sent on the wire (still percent-encoded), without the query string. */
  path: string;
  rawQueryString: string;
  /** Header names lowercased, repeated headers joined with commas. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface SigV4VerifierOptions {
  credentials: readonly SigV4Credentials[];
  region: string;
  service: string;
  /** Largest clock difference accepted, in seconds. Default 900 (AWS's 15 minutes). */
  maxSkewSeconds?: number;
  now?: () => Date;
}

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; reason: string };

/** A hash the SDK signer accepts (Checksum): SHA-256, or HMAC-SHA256 when given a secret. */
class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(private readonly secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  private fresh() {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : Buffer.from(
            ArrayBuffer.isView(this.secret)
              ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
              : new Uint8Array(this.secret),
          );
    return createHmac('sha256', key);
  }

  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.hash.update(data, 'utf8');
    else if (ArrayBuffer.isView(data))
      this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.hash.update(new Uint8Array(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/** 20260101T000000Z → Date */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

export function createSigV4Verifier(
  options: SigV4VerifierOptions,
): (request: SignedRequest) => Promise<SigV4Result> {
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  const maxSkewMs = (options.maxSkewSeconds ?? 900) * 1000;
  const now = options.now ?? (() => new Date());

  return async (request) => {
    const authorization = request.headers.authorization;
    if (!authorization) return { ok: false, reason: 'Missing Authentication Token' };
    const match = AUTHORIZATION.exec(authorization.trim());
    if (!match) return { ok: false, reason: 'Authorization header is not an AWS4-HMAC-SHA256 signature' };
    const [, accessKeyId = '', shortDate, region, service, signedHeaderList = '', signature = ''] = match;
    const secretAccessKey = secrets.get(accessKeyId);
    if (secretAccessKey === undefined) {
      return { ok: false, reason: 'The security token included in the request is invalid' };
    }
    if (region !== options.region || service !== options.service) {
      return { ok: false, reason: `Credential should be scoped to ${options.region}/${options.service}` };
    }
    const amzDate = request.headers['x-amz-date'] ?? '';
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate || amzDate.slice(0, 8) !== shortDate) {
      return { ok: false, reason: 'x-amz-date is missing or does not match the credential scope' };
    }
    if (Math.abs(now().getTime() - signingDate.getTime()) > maxSkewMs) {
      return { ok: false, reason: 'Signature expired (more than 15 minutes off)' };
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) return { ok: false, reason: 'The host header must be signed' };
    // The signer trusts x-amz-content-sha256 as the payload's hash: it must be the body's.
    const declaredHash = request.headers['x-amz-content-sha256'];
    if (
      declaredHash !== undefined &&
      declaredHash !== createHash('sha256').update(request.body).digest('hex')
    ) {
      return { ok: false, reason: "The provided 'x-amz-content-sha256' header does not match the body" };
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = request.headers[name];
      if (value === undefined) return { ok: false, reason: `Signed header ${name} is missing` };
      headers[name] = value;
    }
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(request.rawQueryString)) {
      const existing = query[name];
      query[name] =
        existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const [hostname = '', port] = (headers.host ?? '').split(':');
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region: options.region,
      service: options.service,
      sha256: NodeSha256,
    });
    const resigned = await signer.sign(
      {
        method: request.method,
        protocol: 'https:',
        hostname,
        ...(port ? { port: Number(port) } : {}),
        path: request.path,
        query,
        headers,
        body: request.body.length > 0 ? request.body : undefined,
      },
      { signingDate, signableHeaders: new Set(signedHeaders) },
    );
    const expected =
      /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
    const same =
      expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    return same
      ? { ok: true, accessKeyId }
      : {
          ok: false,
          reason: 'The request signature we calculated does not match the signature you provided',
        };
  };
}

export interface SignOptions {
  credentials: SigV4Credentials;
  region: string;
  /** Default lambda (function URLs). */
  service?: string;
  signingDate?: Date;
}

/**
 * Headers that sign a request with SigV4 the way AWS SDKs sign a call to an IAM-auth function URL
 * (host, x-amz-date, x-amz-content-sha256 and whatever headers are given), host left out for
 * fetch to set. For scripts and tests.
 */
export async function signedHeaders(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
  options: SignOptions,
): Promise<Record<string, string>> {
  const target = new URL(url);
  const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body);
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service ?? 'lambda',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: (init.method ?? 'GET').toUpperCase(),
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: target.pathname,
      query,
      headers: {
        ...Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        host: target.host,
        'x-amz-content-sha256': payloadHash,
      },
      body: body.length > 0 ? body : undefined,
    },
    { signingDate: options.signingDate ?? new Date() },
  );
  // fetch sets host itself (to the same value); undici refuses it as a request header.
  return Object.fromEntries(
    Object.entries(signed.headers)
      .filter(([name]) => name !== 'host')
      .map(([name, value]) => [name, String(value)]),
  );
}
