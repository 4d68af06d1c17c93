import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  CreateIndexCommand,
  GetIndexCommand,
  GetVectorsCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  PutVectorsCommand,
  QueryVectorsCommand,
  S3VectorsClient,
} from '@aws-sdk/client-s3vectors';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockEmbedder, IndexMismatchError, parseTextQuery, S3VectorsIndexStore } from '../src';
import { doc } from './support';

const bedrock = mockClient(BedrockRuntimeClient);
const vectors = mockClient(S3VectorsClient);
const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

beforeEach(() => {
  bedrock.reset();
  vectors.reset();
});

describe('BedrockEmbedder', () => {
  it('sends text and a JPEG rendition to Titan Multimodal with the output length, and normalizes', async () => {
    bedrock.on(InvokeModelCommand).resolves({ body: body({ embedding: [3, 4, 0, 0] }) });
    const embedder = new BedrockEmbedder(new BedrockRuntimeClient({ region: 'us-east-1' }), { dimension: 4 });
    const vector = await embedder.embedDocument({
      text: 'harbour sunset',
      image: { bytes: Buffer.from('jpg'), contentType: 'image/jpeg' },
    });
    expect(Array.from(vector ?? []).map((x) => Number(x.toFixed(5)))).toEqual([0.6, 0.8, 0, 0]);
    const sent = bedrock.commandCalls(InvokeModelCommand)[0]?.args[0].input;
    expect(sent?.modelId).toBe('amazon.titan-embed-image-v1');
    expect(JSON.parse(String(sent?.body))).toEqual({
      inputText: 'harbour sunset',
      inputImage: Buffer.from('jpg').toString('base64'),
      embeddingConfig: { outputEmbeddingLength: 4 },
    });
  });

  it('leaves out images it cannot take (WebP) and fails clearly on a wrong-sized answer', async () => {
    bedrock.on(InvokeModelCommand).resolves({ body: body({ embedding: [1, 2], message: null }) });
    const embedder = new BedrockEmbedder(new BedrockRuntimeClient({ region: 'us-east-1' }), { dimension: 4 });
    await expect(
      embedder.embedDocument({ text: 'x', image: { bytes: Buffer.from('webp'), contentType: 'image/webp' } }),
    ).rejects.toThrow(/without a 4-number embedding/);
    expect(
      JSON.parse(String(bedrock.commandCalls(InvokeModelCommand)[0]?.args[0].input.body)).inputImage,
    ).toBeUndefined();
  });
});

describe('S3VectorsIndexStore', () => {
  const store = () =>
    new S3VectorsIndexStore(new S3VectorsClient({ region: 'us-east-1' }), {
      vectorBucketName: 'vb',
      indexName: 'assets',
      embedding: { model: 'm1', dimension: 2 },
    });

  it('creates a missing index with cosine, the dimension and the model as tags', async () => {
    vectors.on(GetIndexCommand).rejects(new NotFoundException({ message: 'no', $metadata: {} }));
    vectors.on(CreateIndexCommand).resolves({});
    await store().ensureIndex();
    expect(vectors.commandCalls(CreateIndexCommand)[0]?.args[0].input).toMatchObject({
      vectorBucketName: 'vb',
      indexName: 'assets',
      dataType: 'float32',
      dimension: 2,
      distanceMetric: 'cosine',
      tags: { 'sluice:embedding-model': 'm1', 'sluice:embedding-dimension': '2' },
    });
  });

  it('refuses an index of another model', async () => {
    vectors
      .on(GetIndexCommand)
      .resolves({ index: { dimension: 2, indexArn: 'arn:x', distanceMetric: 'cosine' } as never });
    vectors.on(ListTagsForResourceCommand).resolves({ tags: { 'sluice:embedding-model': 'm0' } });
    await expect(store().ensureIndex()).rejects.toThrow(IndexMismatchError);
  });

  it('skips stale writes, filters by tenant always, and drops what another tenant slipped in', async () => {
    vectors
      .on(GetIndexCommand)
      .resolves({ index: { dimension: 2, indexArn: 'arn:x', distanceMetric: 'cosine' } as never });
    vectors.on(ListTagsForResourceCommand).resolves({ tags: { 'sluice:embedding-model': 'm1' } });
    const s = store();
    const d = doc({ sourceSequencer: '0A', fileName: 'harbour.jpg' });
    vectors
      .on(GetVectorsCommand)
      .resolves({ vectors: [{ key: d.assetId, metadata: { version: `${'0'.repeat(38)}0B|` } }] });
    await expect(s.upsert(d, Float32Array.from([1, 0]))).resolves.toBe('stale');
    vectors.on(GetVectorsCommand).resolves({ vectors: [] });
    vectors.on(PutVectorsCommand).resolves({});
    await expect(s.upsert(d, Float32Array.from([1, 0]))).resolves.toBe('written');
    expect(vectors.commandCalls(PutVectorsCommand)[0]?.args[0].input.vectors?.[0]?.metadata).toMatchObject({
      tenantId: 'acme',
      terms: ['harbour', 'jpg'],
    });
    const other = doc({ tenantId: 'globex' });
    vectors.on(QueryVectorsCommand).resolves({
      vectors: [
        { key: d.assetId, distance: 0.1, metadata: { tenantId: 'acme', doc: JSON.stringify(d) } },
        { key: other.assetId, distance: 0.05, metadata: { tenantId: 'globex', doc: JSON.stringify(other) } },
      ],
    } as never);
    const page = await s.search({
      tenantId: 'acme',
      ranking: 'text',
      text: parseTextQuery('harbour'),
      vector: Float32Array.from([1, 0]),
      filters: { minWidth: 100 },
      limit: 10,
    });
    expect(page.hits.map((h) => h.document.assetId)).toEqual([d.assetId]);
    expect(page.hits[0]?.score).toBeCloseTo(0.9);
    const filter = vectors.commandCalls(QueryVectorsCommand)[0]?.args[0].input.filter as { $and: unknown[] };
    expect(filter.$and).toEqual(
      expect.arrayContaining([
        { tenantId: { $eq: 'acme' } },
        { width: { $gte: 100 } },
        { terms: { $eq: 'harbour' } },
      ]),
    );
  });
});
