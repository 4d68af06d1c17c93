import type { IndexDocument } from '@sluice/contracts';
import { assertValid } from '@sluice/contracts';
import { indexDocumentKey, type ObjectStore } from '@sluice/runtime';
import type { DocumentStore } from '../ports/document-store';

/** Index documents as JSON objects under index/{tenantId}/ in the processed bucket. */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly bucket: string,
  ) {}

  async get(tenantId: string, assetId: string): Promise<IndexDocument | null> {
    const doc = await this.objects.getJson(this.bucket, indexDocumentKey(tenantId, assetId));
    return doc === null ? null : assertValid('index-document/v1', doc);
  }

  async put(document: IndexDocument): Promise<void> {
    await this.objects.putJson(this.bucket, this.locate(document.tenantId, document.assetId), document);
  }

  async delete(tenantId: string, assetId: string): Promise<void> {
    await this.objects.delete(this.bucket, this.locate(tenantId, assetId));
  }

  locate(tenantId: string, assetId: string): string {
    return indexDocumentKey(tenantId, assetId);
  }
}
