import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { type IndexDocument, validate } from '@sluice/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { IndexScanSearch } from '../src/adapters/index-scan-search';
import { parseSearchQuery, searchAssets } from '../src/app/search-assets';
import { searchDocuments } from '../src/domain/search-scan';

const T = 'acme';
let n = 0;
function doc(fields: Partial<IndexDocument> & { fileName: string }): IndexDocument {
  n += 1;
  return {
    assetId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tenantId: T,
    mime: 'image/jpeg',
    kind: 'image',
    tags: [],
    createdAt: `2026-01-${String(n).padStart(2, '0')}T00:00:00.000Z`,
    updatedAt: `2026-01-${String(n).padStart(2, '0')}T00:00:00.000Z`,
    sourceSequencer: '01',
    ...fields,
  };
}

const beach = doc({
  fileName: 'beach sunset.jpg',
  tags: ['holiday'],
  width: 4000,
  height: 3000,
  dominantColor: '#ff8800',
  takenAt: '2025-07-01T18:00:00',
  embedding: { model: 'm', dimension: 3, vector: [1, 0, 0] },
});
const beach2 = doc({
  fileName: 'beach volley.jpg',
  width: 3000,
  height: 4000,
  embedding: { model: 'm', dimension: 3, vector: [0.9, 0.1, 0] },
});
const invoice = doc({
  fileName: 'invoice 2025.pdf',
  mime: 'application/pdf',
  kind: 'document',
  text: 'Invoice for sunset cruise tickets',
});
const city = doc({
  fileName: 'city.png',
  mime: 'image/png',
  width: 100,
  height: 100,
  embedding: { model: 'm', dimension: 3, vector: [0, 0, 1] },
});
const docs = [beach, beach2, invoice, city];

const search = (query: Record<string, string>) => searchDocuments(T, docs, parseSearchQuery(query));

describe('index-document search (the fallback engine)', () => {
  it('browses newest first without criteria, one page at a time, with a cursor', () => {
    const first = search({ limit: '3' });
    expect(validate('search-response/v1', first).ok).toBe(true);
    expect(first.ranking).toBe('recent');
    expect(first.results.map((r) => r.fileName)).toEqual([
      'city.png',
      'invoice 2025.pdf',
      'beach volley.jpg',
    ]);
    const second = search({ limit: '3', cursor: first.nextCursor ?? '' });
    expect(second.results.map((r) => r.fileName)).toEqual(['beach sunset.jpg']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('finds words as prefixes across name, tags and text, all required, best match first', () => {
    const response = search({ q: 'sunse' });
    expect(response.ranking).toBe('text');
    expect(response.results.map((r) => r.fileName).sort()).toEqual(['beach sunset.jpg', 'invoice 2025.pdf']);
    expect(response.results.every((r) => typeof r.score === 'number' && r.score > 0)).toBe(true);
    expect(search({ q: 'beach holi' }).results.map((r) => r.fileName)).toEqual(['beach sunset.jpg']);
    expect(search({ q: '"sunset cruise"' }).results.map((r) => r.fileName)).toEqual(['invoice 2025.pdf']);
    expect(search({ q: '"cruise sunset"' }).results).toEqual([]);
  });

  it('applies every filter with AND', () => {
    const names = (q: Record<string, string>) =>
      search(q)
        .results.map((r) => r.fileName)
        .sort();
    expect(names({ kind: 'document' })).toEqual(['invoice 2025.pdf']);
    expect(names({ mime: 'image/*' })).toEqual(['beach sunset.jpg', 'beach volley.jpg', 'city.png']);
    expect(names({ mime: 'image/png,application/pdf' })).toEqual(['city.png', 'invoice 2025.pdf']);
    expect(names({ orientation: 'portrait' })).toEqual(['beach volley.jpg']);
    expect(names({ minWidth: '1000', maxHeight: '3500' })).toEqual(['beach sunset.jpg']);
    expect(names({ color: 'ff8000', colorTolerance: '20' })).toEqual(['beach sunset.jpg']);
    expect(names({ takenFrom: '2025-07-01', takenTo: '2025-07-01' })).toEqual(['beach sunset.jpg']);
    expect(names({ q: 'beach', orientation: 'landscape' })).toEqual(['beach sunset.jpg']);
  });

  it('ranks by cosine similarity to similarTo, leaving the asset itself out', () => {
    const response = search({ similarTo: beach.assetId });
    expect(response.ranking).toBe('similarity');
    expect(response.results.map((r) => r.fileName)).toEqual(['beach volley.jpg', 'city.png']);
    expect(response.results[0]?.score).toBeCloseTo(0.9939, 3);
    expect(response.index).toEqual({ backend: 'index-document-scan', model: 'm', dimension: 3 });
  });

  it.each([
    [{ similarTo: invoice.assetId }, 400, 'not-embedded'],
    [{ similarTo: '00000000-0000-4000-8000-999999999999' }, 404, 'not-found'],
    [{ minWidth: '10', maxWidth: '5' }, 400, 'invalid-search'],
    [{ colorTolerance: '5' }, 400, 'invalid-search'],
    [{ q: '!!!' }, 400, 'invalid-search'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 400, 'invalid-cursor'],
  ])('refuses %j with %i %s', (query, status, code) => {
    expect(() => search(query)).toThrow(expect.objectContaining({ statusCode: status, code }));
  });

  it('refuses a cursor made for other criteria', () => {
    const cursor = search({ limit: '1' }).nextCursor ?? '';
    expect(() => search({ limit: '1', kind: 'image', cursor })).toThrow(
      expect.objectContaining({ code: 'invalid-cursor' }),
    );
  });

  it.each([
    [{ tenantId: 'globex' }, /tenantId is not allowed/],
    [{ kind: 'video' }, /kind\/0 must be one of/],
    [{ limit: '1000' }, /limit must be <= 100/],
    [{ limit: 'ten' }, /limit must be integer/],
    [{ similarTo: 'x' }, /similarTo must match pattern/],
  ])('parses the query string strictly: %j', (query, message) => {
    expect(() => parseSearchQuery(query)).toThrow(
      expect.objectContaining({ statusCode: 400, message: expect.stringMatching(message) }),
    );
  });

  it("never returns another tenant's documents, whatever the engine was given", () => {
    const foreign = { ...doc({ fileName: 'beach secret.jpg' }), tenantId: 'globex' };
    const response = searchDocuments(T, [...docs, foreign], parseSearchQuery({ q: 'beach' }));
    expect(response.results.map((r) => r.fileName)).not.toContain('beach secret.jpg');
  });
});

describe('IndexScanSearch (S3 adapter)', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  /** What GetObject's Body offers the adapter. */
  const body = (value: unknown) => ({
    transformToString: async () => (typeof value === 'string' ? value : JSON.stringify(value)),
  });

  it("lists only the caller's index/ prefix, reads the documents and skips what breaks the contract", async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [
          { Key: `index/${T}/${beach.assetId}.json` },
          { Key: `index/${T}/broken.json` },
          { Key: `index/${T}/gone.json` },
        ],
        IsTruncated: true,
        NextContinuationToken: 'page-2',
      })
      .resolvesOnce({ Contents: [{ Key: `index/${T}/${city.assetId}.json` }], IsTruncated: false });
    s3.on(GetObjectCommand, { Key: `index/${T}/${beach.assetId}.json` }).resolves({
      Body: body(beach) as never,
    });
    s3.on(GetObjectCommand, { Key: `index/${T}/${city.assetId}.json` }).resolves({
      Body: body(city) as never,
    });
    s3.on(GetObjectCommand, { Key: `index/${T}/broken.json` }).resolves({
      Body: body({ assetId: 1 }) as never,
    });
    s3.on(GetObjectCommand, { Key: `index/${T}/gone.json` }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    const port = new IndexScanSearch(new S3Client({ region: 'us-east-1' }), 'processed', 100);
    const response = await searchAssets(T, {}, port);
    expect(response.results.map((r) => r.fileName)).toEqual(['city.png', 'beach sunset.jpg']);
    const lists = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(lists.map((l) => [l.Prefix, l.ContinuationToken])).toEqual([
      [`index/${T}/`, undefined],
      [`index/${T}/`, 'page-2'],
    ]);
  });

  it('stops listing at the scan limit', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: `index/${T}/${beach.assetId}.json` }, { Key: `index/${T}/${city.assetId}.json` }],
      IsTruncated: true,
      NextContinuationToken: 'more',
    });
    s3.on(GetObjectCommand).resolves({ Body: body(beach) as never });
    const port = new IndexScanSearch(new S3Client({ region: 'us-east-1' }), 'processed', 2);
    await port.search(T, {});
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1);
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input.MaxKeys).toBe(2);
  });
});
