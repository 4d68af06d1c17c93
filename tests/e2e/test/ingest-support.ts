import { createHash } from 'node:crypto';
import { topology } from '@sluice/contracts';
import { LOCAL_REGION, signedHeaders, type TopologyLike } from '@sluice/local';

/** Helpers for the ingest API's end-to-end tests. */

export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';

/** The platform's topology with a webhook source for tenant acme, and optional route throttling. */
export function ingestTopology(
  throttled: Record<string, { burstLimit: number; rateLimit: number }> = {},
): TopologyLike {
  const t = structuredClone(topology) as unknown as TopologyLike;
  const ingest = t.services.ingest;
  if (!ingest?.environment) throw new Error('The topology has no ingest service');
  ingest.environment.WEBHOOK_SOURCES = {
    value: JSON.stringify({ shop: { tenantId: 'acme', secrets: [WEBHOOK_SECRET] } }),
  };
  ingest.trigger.routeSettings ??= {};
  for (const [route, throttling] of Object.entries(throttled)) {
    ingest.trigger.routeSettings[route] = { ...ingest.trigger.routeSettings[route], throttling };
  }
  return t;
}

export interface ApiCall {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked against their contracts by the tests
  json: any;
  headers: Headers;
}

/** Calls the HTTP API with a bearer token (or none), JSON in and out. */
export function apiClient(apiUrl: string, token: string | null) {
  return async (method: string, path: string, body?: unknown): Promise<ApiCall> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

/** Calls the internal function URL, signed with SigV4 as an AWS SDK would (or unsigned). */
export async function internalCall(
  baseUrl: string,
  path: string,
  body: unknown,
  signed = true,
): Promise<ApiCall> {
  const url = `${baseUrl}${path}`;
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  const headers = signed
    ? await signedHeaders(url, init, {
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        region: LOCAL_REGION,
      })
    : init.headers;
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

export function policyOf(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
