import type { SearchRequest, UploadRequest, UploadResponse } from '@sluice/contracts';
import { type AssetView, toAssetView } from './asset-view';
import { SluiceApiError } from './errors';

/*
 * The Sluice HTTP API, for the CLI (Node) and the web page (browsers): JSON over fetch with a
 * bearer token. Uploading bytes is the caller's business (S3 presigned POSTs and part PUTs need
 * progress events, which fetch has not); this client only asks the API for the signatures.
 */

export interface SluiceClientOptions {
  /** The API's base URL; '' for the same origin (the web page). */
  baseUrl: string;
  /** The bearer token, or a function giving the current one. */
  token?: string | (() => string | undefined);
  fetch?: typeof fetch;
}

/** POST /s3/multipart: Uppy's Companion endpoints, answered by the ingest service. */
export interface MultipartUpload {
  key: string;
  uploadId: string;
  /** The asset id, read from the key (uploads/{tenantId}/{assetId}/{fileName}). */
  assetId?: string;
}

export interface UploadedPart {
  PartNumber: number;
  ETag: string;
  Size?: number;
}

/** GET /search's criteria (search-request/v1), lists as arrays: they travel comma-separated. */
export type SearchQuery = Omit<SearchRequest, 'kind' | 'mime'> & {
  kind?: string[] | string;
  mime?: string[] | string;
};

export interface SearchHit {
  assetId: string;
  score?: number;
  fileName?: string;
  mime?: string;
  kind?: string;
  width?: number;
  height?: number;
  takenAt?: string;
  dominantColor?: string;
  createdAt?: string;
  snippet?: string;
  /** Everything the API said about this hit. */
  raw: Record<string, unknown>;
}

export interface SearchPage {
  hits: SearchHit[];
  nextCursor?: string;
  ranking?: string;
}

const ASSET_ID_IN_KEY = /^uploads\/[^/]+\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//;

/** The asset id inside an ingest key, if the key follows the layout. */
export function assetIdFromKey(key: string): string | undefined {
  return ASSET_ID_IN_KEY.exec(key)?.[1];
}

const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT'];

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.includes(code) || code.startsWith('UND_ERR'))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reads `www-authenticate: Bearer error="invalid_token" error_description="..."`. */
function authDescription(header: string | null): string | undefined {
  return header ? /error_description="([^"]*)"/.exec(header)?.[1] : undefined;
}

export class SluiceClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: SluiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  get apiUrl(): string {
    return this.baseUrl;
  }

  private token(): string | undefined {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }

  /** One JSON request; every failure becomes a SluiceApiError with a message fit for a person. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const code =
        networkCode(error) ??
        ((error as Error).cause as Error | undefined)?.message ??
        (error as Error).message;
      throw new SluiceApiError(
        'unreachable',
        `Cannot reach the Sluice API at ${this.baseUrl || 'this site'} (${code})`,
        undefined,
        code,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) {
      if (json === undefined && text) {
        throw new SluiceApiError(
          'protocol',
          `${method} ${path} answered ${response.status} with a body that is not JSON`,
          response.status,
        );
      }
      return json as T;
    }
    const apiError = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const gatewayMessage = (json as { message?: string } | undefined)?.message;
    if (response.status === 401) {
      const description = authDescription(response.headers.get('www-authenticate'));
      const expired = description !== undefined && /\bexp\b|expired/i.test(description);
      throw new SluiceApiError(
        'auth',
        !token
          ? 'The API wants a token and none is configured'
          : expired
            ? 'The token has expired'
            : `The API refused the token${description ? ` (${description})` : ''}`,
        401,
        expired ? 'token-expired' : 'unauthorized',
      );
    }
    if (response.status === 403) {
      throw new SluiceApiError(
        'auth',
        apiError?.message ?? gatewayMessage ?? 'Forbidden',
        403,
        apiError?.code ?? 'forbidden',
      );
    }
    if (!apiError && response.status === 404) {
      // API Gateway's own 404: no such route (an older API, or a typo in the URL).
      throw new SluiceApiError(
        'api',
        `The API at ${this.baseUrl || 'this site'} has no route ${method} ${path.split('?')[0]}`,
        404,
        'no-route',
      );
    }
    throw new SluiceApiError(
      'api',
      apiError?.message ?? gatewayMessage ?? `${method} ${path} failed with HTTP ${response.status}`,
      response.status,
      apiError?.code ?? `http-${response.status}`,
    );
  }

  createUpload(request: UploadRequest, signal?: AbortSignal): Promise<UploadResponse> {
    return this.request<UploadResponse>('POST', '/uploads', request, signal);
  }

  async getAsset(assetId: string, signal?: AbortSignal): Promise<AssetView> {
    const body = await this.request<unknown>(
      'GET',
      `/assets/${encodeURIComponent(assetId)}`,
      undefined,
      signal,
    );
    return toAssetView(body, assetId);
  }

  async search(query: SearchQuery, signal?: AbortSignal): Promise<SearchPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === '') continue;
      params.set(name, Array.isArray(value) ? value.join(',') : String(value));
    }
    const qs = params.toString();
    const body = await this.request<unknown>('GET', `/search${qs ? `?${qs}` : ''}`, undefined, signal);
    return toSearchPage(body);
  }

  async createMultipartUpload(
    file: { filename: string; type: string; metadata?: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<MultipartUpload> {
    const body = await this.request<{ key?: string; uploadId?: string }>(
      'POST',
      '/s3/multipart',
      { filename: file.filename, type: file.type, metadata: file.metadata ?? {} },
      signal,
    );
    if (!body?.key || !body.uploadId) {
      throw new SluiceApiError('protocol', 'POST /s3/multipart answered without key and uploadId');
    }
    return { key: body.key, uploadId: body.uploadId, assetId: assetIdFromKey(body.key) };
  }

  signPart(
    upload: MultipartUpload,
    partNumber: number,
    signal?: AbortSignal,
  ): Promise<{ url: string; expires?: number }> {
    return this.request(
      'GET',
      `/s3/multipart/${encodeURIComponent(upload.uploadId)}/${partNumber}?${new URLSearchParams({ key: upload.key })}`,
      undefined,
      signal,
    );
  }

  async listParts(upload: MultipartUpload, signal?: AbortSignal): Promise<UploadedPart[]> {
    const parts = await this.request<UploadedPart[]>(
      'GET',
      `/s3/multipart/${encodeURIComponent(upload.uploadId)}?${new URLSearchParams({ key: upload.key })}`,
      undefined,
      signal,
    );
    return Array.isArray(parts) ? parts : [];
  }

  completeMultipartUpload(
    upload: MultipartUpload,
    parts: { PartNumber: number; ETag: string }[],
    signal?: AbortSignal,
  ): Promise<{ location?: string; key?: string }> {
    return this.request(
      'POST',
      `/s3/multipart/${encodeURIComponent(upload.uploadId)}/complete?${new URLSearchParams({ key: upload.key })}`,
      { parts },
      signal,
    );
  }

  async abortMultipartUpload(upload: MultipartUpload, signal?: AbortSignal): Promise<void> {
    await this.request(
      'DELETE',
      `/s3/multipart/${encodeURIComponent(upload.uploadId)}?${new URLSearchParams({ key: upload.key })}`,
      undefined,
      signal,
    );
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads a search answer (search-response/v1): `{ results, ranking, nextCursor?, index }`. */
export function toSearchPage(body: unknown): SearchPage {
  if (!isObject(body)) throw new SluiceApiError('protocol', 'The search answer is not a JSON object');
  const list = Array.isArray(body.results) ? body.results : [];
  const hits: SearchHit[] = list.filter(isObject).map((entry) => {
    const text = (name: string) => (typeof entry[name] === 'string' ? (entry[name] as string) : undefined);
    const number = (name: string) => (typeof entry[name] === 'number' ? (entry[name] as number) : undefined);
    return {
      assetId: text('assetId') ?? '',
      score: number('score'),
      fileName: text('fileName'),
      mime: text('mime'),
      kind: text('kind'),
      width: number('width'),
      height: number('height'),
      takenAt: text('takenAt'),
      dominantColor: text('dominantColor'),
      createdAt: text('createdAt'),
      snippet: text('snippet'),
      raw: entry,
    };
  });
  return {
    hits: hits.filter((hit) => hit.assetId),
    nextCursor: typeof body.nextCursor === 'string' && body.nextCursor ? body.nextCursor : undefined,
    ranking: typeof body.ranking === 'string' ? body.ranking : undefined,
  };
}
