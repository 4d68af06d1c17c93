import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type IndexDocument, type SearchRequest, type SearchResponse, validate } from '@sluice/contracts';
import { indexDocumentKey, isNotFound, type Logger } from '@sluice/runtime';
import { searchDocuments } from '../domain/search-scan';
import type { SearchPort } from '../ports/search';

const FETCH_CONCURRENCY = 16;

/**
 * The working fallback behind GET /search: reads the index documents the indexer writes to the
 * processed bucket (index/{tenantId}/{assetId}.json, the caller's tenant prefix only) and searches
 * them in memory. Cost grows with the tenant's asset count, so it reads at most scanLimit documents
 * (newest keys are not favoured: S3 lists in key order) and logs when it stops short.
 */
export class IndexScanSearch implements SearchPort {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly scanLimit: number,
    private readonly logger?: Logger,
  ) {}

  async search(tenantId: string, request: SearchRequest): Promise<SearchResponse> {
    const prefix = indexDocumentKey(tenantId, '').replace(/\.json$/, '');
    const keys: string[] = [];
    let token: string | undefined;
    let truncated = false;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: token,
          MaxKeys: Math.min(1000, this.scanLimit - keys.length),
        }),
      );
      for (const item of out.Contents ?? []) if (item.Key?.endsWith('.json')) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (token && keys.length >= this.scanLimit) {
        truncated = true;
        token = undefined;
      }
    } while (token);
    if (truncated) {
      this.logger?.warn('Search scanned only part of the index', { tenantId, scanLimit: this.scanLimit });
    }

    const documents: IndexDocument[] = [];
    for (let i = 0; i < keys.length; i += FETCH_CONCURRENCY) {
      const batch = await Promise.all(keys.slice(i, i + FETCH_CONCURRENCY).map((key) => this.read(key)));
      for (const doc of batch) if (doc && doc.tenantId === tenantId) documents.push(doc);
    }
    return searchDocuments(tenantId, documents, request);
  }

  private async read(key: string): Promise<IndexDocument | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await out.Body?.transformToString('utf8')) ?? '';
      const result = validate('index-document/v1', JSON.parse(text));
      if (result.ok) return result.value;
      this.logger?.warn('Skipped an index document that breaks its contract', { key, errors: result.errors });
      return null;
    } catch (error) {
      // Deleted between the listing and the read: not part of the result.
      if (isNotFound(error)) return null;
      if (error instanceof SyntaxError) {
        this.logger?.warn('Skipped an index document that is not JSON', { key });
        return null;
      }
      throw error;
    }
  }
}
