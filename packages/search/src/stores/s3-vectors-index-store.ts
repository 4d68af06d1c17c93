import {
  CreateIndexCommand,
  DeleteVectorsCommand,
  GetIndexCommand,
  GetVectorsCommand,
  ListTagsForResourceCommand,
  ListVectorsCommand,
  NotFoundException,
  PutVectorsCommand,
  QueryVectorsCommand,
  type QueryVectorsCommandInput,
  type S3VectorsClient,
} from '@aws-sdk/client-s3vectors';
import type { IndexDocument } from '@sluice/contracts';
import type { EmbeddingModel } from '../embedding/embedder';
import { parseHexColor } from '../embedding/image-features';
import { tokenize } from '../embedding/text-features';
import { IndexMismatchError } from '../errors';
import {
  documentVersion,
  type IndexStore,
  type SearchFilters,
  type StoreHit,
  type StorePage,
  type StoreQuery,
  type UpsertOutcome,
} from '../index-store';
import { matchesFilters } from './memory-index-store';

/** QueryVectors' largest topK: ranked pages reach the 100 nearest matches at most. */
export const QUERY_TOP_K_MAX = 100;
/** Filterable metadata is capped at 2 KB a vector: at most this many distinct words. */
const MAX_TERMS = 48;
export const MODEL_TAG = 'sluice:embedding-model';
export const DIMENSION_TAG = 'sluice:embedding-dimension';

export interface S3VectorsIndexStoreOptions {
  vectorBucketName: string;
  indexName: string;
  embedding: EmbeddingModel;
}

type Metadata = Record<string, string | number | boolean | string[]>;

/** Camera-local "2024-06-14T19:02:11+02:00" → 20240614190211, a number S3 Vectors can range-filter. */
export function sortableTime(value: string): number {
  const digits = value
    .replace(/[^0-9]/g, '')
    .slice(0, 14)
    .padEnd(14, '0');
  return Number(digits);
}

/**
 * The index on AWS: an Amazon S3 Vectors index, one vector per asset, keyed by asset id, with the
 * filterable fields as metadata and the index document as non-filterable metadata. S3 Vectors has
 * no full text: text queries are embedded by the same multimodal model (SearchEngine does it), and
 * words narrow a similarity search through the `terms` metadata (whole words of file name, tags
 * and camera). The model and dimension are tags of the index, checked before first use.
 */
export class S3VectorsIndexStore implements IndexStore {
  readonly backend = 's3vectors';
  readonly fullText = false;
  readonly embedding: EmbeddingModel;
  private ready: Promise<void> | undefined;
  private readonly target: { vectorBucketName: string; indexName: string };

  constructor(
    private readonly client: S3VectorsClient,
    options: S3VectorsIndexStoreOptions,
  ) {
    this.embedding = options.embedding;
    this.target = { vectorBucketName: options.vectorBucketName, indexName: options.indexName };
  }

  /** Creates the index on first use (cosine, float32, the model's dimension), or checks it matches. */
  ensureIndex(): Promise<void> {
    this.ready ??= this.prepare().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async prepare(): Promise<void> {
    const { model, dimension } = this.embedding;
    let index: { dimension?: number; indexArn?: string; distanceMetric?: string } | undefined;
    try {
      index = (await this.client.send(new GetIndexCommand(this.target))).index;
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
    if (!index) {
      await this.client.send(
        new CreateIndexCommand({
          ...this.target,
          dataType: 'float32',
          dimension,
          distanceMetric: 'cosine',
          metadataConfiguration: { nonFilterableMetadataKeys: ['doc', 'version'] },
          tags: { [MODEL_TAG]: model, [DIMENSION_TAG]: String(dimension) },
        }),
      );
      return;
    }
    const tags = index.indexArn
      ? (await this.client.send(new ListTagsForResourceCommand({ resourceArn: index.indexArn }))).tags
      : undefined;
    const builtWith = tags?.[MODEL_TAG];
    if (index.dimension !== dimension || builtWith !== model || index.distanceMetric !== 'cosine') {
      throw new IndexMismatchError(
        `S3 Vectors index ${this.target.indexName} holds ${builtWith ?? 'untagged'} vectors of ${index.dimension} dimensions (${index.distanceMetric}); this build embeds with ${model} (${dimension}, cosine). Point VECTOR_INDEX_NAME at a new index and reindex.`,
      );
    }
  }

  async upsert(document: IndexDocument, vector: Float32Array | null): Promise<UpsertOutcome> {
    if (!vector)
      throw new Error(`Asset ${document.assetId} has no embedding; S3 Vectors stores vectors only`);
    if (vector.length !== this.embedding.dimension) {
      throw new IndexMismatchError(
        `A ${vector.length}-dimension vector cannot go into this ${this.embedding.dimension}-dimension index`,
      );
    }
    await this.ensureIndex();
    const version = documentVersion(document);
    const existing = await this.fetch(document.assetId, false);
    const existingVersion = existing?.metadata?.version;
    if (typeof existingVersion === 'string' && existingVersion > version) return 'stale';
    if (existingVersion === version) return 'unchanged';
    await this.client.send(
      new PutVectorsCommand({
        ...this.target,
        vectors: [
          {
            key: document.assetId,
            data: { float32: Array.from(vector) },
            metadata: metadataOf(document, version),
          },
        ],
      }),
    );
    return 'written';
  }

  private async fetch(assetId: string, withData: boolean) {
    const out = await this.client.send(
      new GetVectorsCommand({ ...this.target, keys: [assetId], returnMetadata: true, returnData: withData }),
    );
    const vector = out.vectors?.[0];
    return vector ? { metadata: vector.metadata as Metadata | undefined, data: vector.data } : null;
  }

  async get(tenantId: string, assetId: string): Promise<IndexDocument | null> {
    await this.ensureIndex();
    const found = await this.fetch(assetId, false);
    if (!found || found.metadata?.tenantId !== tenantId) return null;
    return JSON.parse(String(found.metadata.doc)) as IndexDocument;
  }

  async getVector(tenantId: string, assetId: string): Promise<Float32Array | null> {
    await this.ensureIndex();
    const found = await this.fetch(assetId, true);
    if (!found || found.metadata?.tenantId !== tenantId || !found.data || !('float32' in found.data))
      return null;
    return Float32Array.from(found.data.float32 ?? []);
  }

  async remove(assetId: string): Promise<{ tenantId: string } | null> {
    await this.ensureIndex();
    const found = await this.fetch(assetId, false);
    if (!found) return null;
    await this.client.send(new DeleteVectorsCommand({ ...this.target, keys: [assetId] }));
    return { tenantId: String(found.metadata?.tenantId ?? '') };
  }

  async count(tenantId?: string): Promise<number> {
    let n = 0;
    for await (const metadata of this.scan())
      if (tenantId === undefined || metadata.tenantId === tenantId) n++;
    return n;
  }

  async close(): Promise<void> {}

  private async *scan(): AsyncGenerator<Metadata> {
    await this.ensureIndex();
    let nextToken: string | undefined;
    do {
      const out = await this.client.send(
        new ListVectorsCommand({ ...this.target, returnMetadata: true, maxResults: 1000, nextToken }),
      );
      for (const vector of out.vectors ?? []) if (vector.metadata) yield vector.metadata as Metadata;
      nextToken = out.nextToken;
    } while (nextToken);
  }

  async search(query: StoreQuery): Promise<StorePage> {
    await this.ensureIndex();
    let hits: StoreHit[];
    if (query.ranking === 'recent') {
      // No order but similarity in S3 Vectors: browsing lists the index (README: use sparingly).
      hits = [];
      for await (const metadata of this.scan()) {
        if (metadata.tenantId !== query.tenantId) continue;
        const document = JSON.parse(String(metadata.doc)) as IndexDocument;
        if (document.assetId === query.excludeAssetId || !matchesFilters(document, query.filters)) continue;
        hits.push({ document, sort: document.createdAt });
      }
      hits.sort((a, b) =>
        a.sort < b.sort ? 1 : a.sort > b.sort ? -1 : a.document.assetId < b.document.assetId ? -1 : 1,
      );
    } else {
      if (!query.vector) throw new Error('A ranked search on S3 Vectors needs a vector');
      const out = await this.client.send(
        new QueryVectorsCommand({
          ...this.target,
          topK: QUERY_TOP_K_MAX,
          queryVector: { float32: Array.from(query.vector) },
          filter: filterOf(query) as NonNullable<QueryVectorsCommandInput['filter']>,
          returnMetadata: true,
          returnDistance: true,
        }),
      );
      hits = [];
      for (const vector of out.vectors ?? []) {
        const metadata = vector.metadata as Metadata | undefined;
        if (!metadata || metadata.tenantId !== query.tenantId) continue; // never trust a filter alone
        const document = JSON.parse(String(metadata.doc)) as IndexDocument;
        if (document.assetId === query.excludeAssetId || !matchesFilters(document, query.filters)) continue;
        const distance = vector.distance ?? 1;
        hits.push({ document, score: 1 - distance, sort: distance });
      }
      hits.sort(
        (a, b) =>
          (a.sort as number) - (b.sort as number) || (a.document.assetId < b.document.assetId ? -1 : 1),
      );
    }
    const after = query.after;
    if (after) {
      hits = hits.filter((hit) => {
        if (hit.sort === after.sort) return hit.document.assetId > after.assetId;
        return query.ranking === 'recent' ? hit.sort < after.sort : hit.sort > after.sort;
      });
    }
    return { hits: hits.slice(0, query.limit), hasMore: hits.length > query.limit };
  }
}

function metadataOf(document: IndexDocument, version: string): Metadata {
  const { embedding: _embedding, ...doc } = document;
  const exif = document.exif;
  const terms = [
    ...new Set(
      tokenize(
        [document.fileName, ...document.tags, exif?.make, exif?.model, exif?.lens].filter(Boolean).join(' '),
      ),
    ),
  ].slice(0, MAX_TERMS);
  const metadata: Metadata = {
    tenantId: document.tenantId,
    kind: document.kind,
    mime: document.mime,
    mimeFamily: `${document.mime.split('/')[0]}/`,
    createdAt: sortableTime(document.createdAt),
    terms,
    version,
    doc: JSON.stringify(doc),
  };
  if (document.width !== undefined) metadata.width = document.width;
  if (document.height !== undefined) metadata.height = document.height;
  if (document.takenAt) metadata.takenAt = sortableTime(document.takenAt);
  if (document.dominantColor) {
    const [r, g, b] = parseHexColor(document.dominantColor);
    Object.assign(metadata, { colorR: r, colorG: g, colorB: b });
  }
  return metadata;
}

/** The S3 Vectors metadata filter for a query: the tenant always, then what it can express. */
export function filterOf(query: StoreQuery): Record<string, unknown> {
  const f: SearchFilters = query.filters;
  const all: Record<string, unknown>[] = [{ tenantId: { $eq: query.tenantId } }];
  if (f.kind) all.push({ kind: { $in: f.kind } });
  if (f.mime) {
    all.push({
      $or: f.mime.map((m) => (m.endsWith('/') ? { mimeFamily: { $eq: m } } : { mime: { $eq: m } })),
    });
  }
  const range = (key: string, low?: number, high?: number) => {
    if (low !== undefined) all.push({ [key]: { $gte: low } });
    if (high !== undefined) all.push({ [key]: { $lte: high } });
  };
  range('width', f.minWidth, f.maxWidth);
  range('height', f.minHeight, f.maxHeight);
  range(
    'takenAt',
    f.takenFrom ? sortableTime(f.takenFrom) : undefined,
    f.takenTo ? sortableTime(f.takenTo.replace('T\uffff', 'T235959')) : undefined,
  );
  range(
    'createdAt',
    f.createdFrom ? sortableTime(f.createdFrom) : undefined,
    f.createdTo ? sortableTime(f.createdTo.replace('T\uffff', 'T235959')) : undefined,
  );
  if (f.color) {
    const [r, g, b] = f.color.rgb;
    const t = f.color.tolerance;
    range('colorR', r - t, r + t);
    range('colorG', g - t, g + t);
    range('colorB', b - t, b + t);
  }
  for (const term of query.text?.terms ?? []) all.push({ terms: { $eq: term } });
  return all.length === 1 ? (all[0] as Record<string, unknown>) : { $and: all };
}
