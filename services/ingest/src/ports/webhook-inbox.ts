export interface WebhookReceipt {
  deliveryId: string;
  source: string;
  tenantId: string;
  assetId: string;
  key: string;
  receivedAt: string;
}

/** Where verified webhooks land: a ledger of deliveries (for replays) and the ingest bucket. */
export interface WebhookInbox {
  /** Records a delivery unless it was recorded before; false then (a replay). Atomic. */
  claim(receipt: WebhookReceipt): Promise<boolean>;
  /** Forgets a claimed delivery whose payload could not be stored, so the sender's retry is accepted. */
  release(receipt: WebhookReceipt): Promise<void>;
  /** Stores the envelope under the uploads layout: from there it flows through the pipeline. */
  store(key: string, envelope: string, metadata: Record<string, string>): Promise<void>;
}
