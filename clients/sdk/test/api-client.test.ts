import { assetIdFromKey, SluiceApiError, SluiceClient, toSearchPage } from '../src';

const ASSET = '5a784a27-8385-4c63-a406-58f738a3f900';

/** A fetch that answers from a table and records what it was asked. */
function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return answer(String(input), init);
  }) as typeof fetch;
  return { fn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('SluiceClient', () => {
  it('sends the bearer token and JSON body, and returns the answer', async () => {
    const { fn, calls } = fakeFetch(() => json(201, { assetId: ASSET }));
    const client = new SluiceClient({ baseUrl: 'http://api.test/', token: 'tok', fetch: fn });
    await expect(
      client.createUpload({ fileName: 'a.jpg', contentType: 'image/jpeg', size: 3 }),
    ).resolves.toEqual({
      assetId: ASSET,
    });
    expect(calls[0]?.url).toBe('http://api.test/uploads');
    expect((calls[0]?.init.headers as Record<string, string> | undefined)?.authorization).toBe('Bearer tok');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      fileName: 'a.jpg',
      contentType: 'image/jpeg',
      size: 3,
    });
  });

  it('reports an expired token from the authorizer as such', async () => {
    const { fn } = fakeFetch(() =>
      json(
        401,
        { message: 'Unauthorized' },
        {
          'www-authenticate':
            'Bearer scope="" error="invalid_token" error_description="\'exp\' claim timestamp check failed"',
        },
      ),
    );
    const error = await new SluiceClient({ baseUrl: 'http://api.test', token: 't', fetch: fn })
      .getAsset(ASSET)
      .catch((e) => e);
    expect(error).toBeInstanceOf(SluiceApiError);
    expect(error).toMatchObject({
      kind: 'auth',
      status: 401,
      code: 'token-expired',
      message: 'The token has expired',
    });
  });

  it("passes the API's error code and message through, and tells a missing route apart", async () => {
    const { fn } = fakeFetch((url) =>
      url.includes('/assets/')
        ? json(404, { error: { code: 'not-found', message: `No asset ${ASSET}` } })
        : json(404, { message: 'Not Found' }),
    );
    const client = new SluiceClient({ baseUrl: 'http://api.test', token: 't', fetch: fn });
    await expect(client.getAsset(ASSET)).rejects.toMatchObject({
      kind: 'api',
      status: 404,
      code: 'not-found',
    });
    await expect(client.search({ q: 'cat' })).rejects.toMatchObject({ kind: 'api', code: 'no-route' });
  });

  it('says the API is unreachable when nothing answers', async () => {
    const { fn } = fakeFetch(() => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    });
    await expect(
      new SluiceClient({ baseUrl: 'http://127.0.0.1:9', fetch: fn }).getAsset(ASSET),
    ).rejects.toMatchObject({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
      message: 'Cannot reach the Sluice API at http://127.0.0.1:9 (ECONNREFUSED)',
    });
  });

  it("calls Uppy's Companion multipart endpoints with the key as a query parameter", async () => {
    const key = `uploads/dev/${ASSET}/big.bin`;
    const { fn, calls } = fakeFetch((url, init) => {
      if (init.method === 'POST' && url.endsWith('/s3/multipart')) return json(200, { key, uploadId: 'U1' });
      if (url.includes('/complete')) return json(200, { location: 'x', key });
      if (init.method === 'DELETE') return json(200, {});
      if (/\/s3\/multipart\/U1\/\d+/.test(url)) return json(200, { url: 'http://s3/part', expires: 900 });
      return json(200, [{ PartNumber: 1, ETag: '"e1"', Size: 5 }]);
    });
    const client = new SluiceClient({ baseUrl: 'http://api.test', token: 't', fetch: fn });
    const upload = await client.createMultipartUpload({
      filename: 'big.bin',
      type: 'application/octet-stream',
    });
    expect(upload).toEqual({ key, uploadId: 'U1', assetId: ASSET });
    await client.signPart(upload, 2);
    await client.listParts(upload);
    await client.completeMultipartUpload(upload, [{ PartNumber: 1, ETag: '"e1"' }]);
    await client.abortMultipartUpload(upload);
    const encodedKey = new URLSearchParams({ key }).toString();
    expect(calls.map((c) => `${c.init.method} ${c.url.replace('http://api.test', '')}`)).toEqual([
      'POST /s3/multipart',
      `GET /s3/multipart/U1/2?${encodedKey}`,
      `GET /s3/multipart/U1?${encodedKey}`,
      `POST /s3/multipart/U1/complete?${encodedKey}`,
      `DELETE /s3/multipart/U1?${encodedKey}`,
    ]);
  });
});

describe('helpers', () => {
  it('reads the asset id from an ingest key', () => {
    expect(assetIdFromKey(`uploads/dev/${ASSET}/a b.jpg`)).toBe(ASSET);
    expect(assetIdFromKey('uploads/dev/not-a-uuid/a.jpg')).toBeUndefined();
  });

  it('reads search-response/v1, with the next cursor', () => {
    const page = toSearchPage({
      results: [
        {
          assetId: ASSET,
          score: 0.9,
          fileName: 'cat.jpg',
          kind: 'image',
          mime: 'image/jpeg',
          width: 10,
          createdAt: 'x',
        },
        { nope: 1 },
      ],
      ranking: 'text',
      nextCursor: 'c2',
      index: { backend: 'sqlite', model: 'local', dimension: 8 },
    });
    expect(page.hits).toHaveLength(1);
    expect(page.hits[0]).toMatchObject({ assetId: ASSET, score: 0.9, fileName: 'cat.jpg', width: 10 });
    expect(page).toMatchObject({ nextCursor: 'c2', ranking: 'text' });
    expect(toSearchPage({ results: [] }).hits).toEqual([]);
  });

  it('sends search lists comma-separated', async () => {
    const { fn, calls } = fakeFetch(() => json(200, { results: [], ranking: 'recent', index: {} }));
    await new SluiceClient({ baseUrl: 'http://api.test', token: 't', fetch: fn }).search({
      q: 'red car',
      kind: ['image', 'document'],
      minWidth: 100,
    });
    expect(calls[0]?.url).toBe('http://api.test/search?q=red+car&kind=image%2Cdocument&minWidth=100');
  });
});
