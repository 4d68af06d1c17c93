import { DeleteObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { WebhookInbox, WebhookReceipt } from '../ports/webhook-inbox';

/** webhooks/{tenantId}/{source}/{deliveryId}.json: outside uploads/, so it triggers nothing. */
export function receiptKey(receipt: Pick<WebhookReceipt, 'tenantId' | 'source' | 'deliveryId'>): string {
  return `webhooks/${receipt.tenantId}/${receipt.source}/${receipt.deliveryId}.json`;
}

/**
 * The delivery ledger is a conditional write (If-None-Match: *) in the ingest bucket: S3 lets
 * exactly one of any number of concurrent writers create the receipt. Receipts only need to outlive
 * the replay window; a lifecycle rule on webhooks/ expires them.
 */
export class S3WebhookInbox implements WebhookInbox {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async claim(receipt: WebhookReceipt): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: receiptKey(receipt),
          Body: `${JSON.stringify(receipt)}\n`,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      // 412: the receipt exists. 409: another request is creating it right now.
      const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  async release(receipt: WebhookReceipt): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: receiptKey(receipt) }));
  }

  async store(key: string, envelope: string, metadata: Record<string, string>): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: envelope,
        ContentType: 'application/json',
        Metadata: metadata,
      }),
    );
  }
}
