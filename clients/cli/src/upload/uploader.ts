import { type MultipartUpload, SluiceApiError, type SluiceClient } from '@sluice/client';
import { type JournalEntry, UploadJournal } from './journal';
import { postPresignedForm, putPresignedPart, TransferError } from './s3-transfer';
import type { LocalFile } from './walk';

export const MIB = 1024 * 1024;
/** S3's smallest part (except the last) and most parts. */
const MIN_PART_SIZE = 5 * MIB;
const MAX_PARTS = 10_000;

export interface UploadSettings {
  /** Files of at least this many bytes go multipart (Uppy's default: 100 MiB). */
  multipartThreshold: number;
  partSize: number;
  /** Parts of one file in flight at once. */
  partConcurrency: number;
  /** Tries per request, the first included. */
  attempts: number;
  /** Upload again even if the journal says done. */
  force: boolean;
  /** Base delay between tries (doubles each time). */
  retryDelayMs: number;
}

export const DEFAULT_UPLOAD_SETTINGS: UploadSettings = {
  multipartThreshold: 100 * MIB,
  partSize: 8 * MIB,
  partConcurrency: 4,
  attempts: 4,
  force: false,
  retryDelayMs: 500,
};

export interface FileEvents {
  /** Bytes sent (negative when a failed try's bytes are taken back). */
  bytes(delta: number): void;
  /** A try failed and will be repeated. */
  retry?(what: string, error: Error, attempt: number): void;
}

export interface FileUploadResult {
  assetId: string;
  key?: string;
  /** The journal said it was uploaded already: nothing sent. */
  skipped: boolean;
  /** A multipart upload continued from an earlier run. */
  resumed: boolean;
  multipart: boolean;
  /** Parts uploaded in this run (multipart only). */
  partsSent?: number;
}

function retryable(error: unknown): boolean {
  if (error instanceof TransferError) return error.retryable;
  if (error instanceof SluiceApiError) {
    return (
      error.kind === 'unreachable' ||
      (error.status !== undefined && (error.status >= 500 || error.status === 429))
    );
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FileUploader {
  constructor(
    private readonly client: SluiceClient,
    private readonly journal: UploadJournal,
    private readonly settings: UploadSettings = DEFAULT_UPLOAD_SETTINGS,
  ) {}

  /** Runs `fn`, trying again on network trouble and 5xx; `undo` takes back a failed try's progress. */
  private async withRetry<T>(
    what: string,
    events: FileEvents,
    fn: (sent: (n: number) => void) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let sent = 0;
      try {
        return await fn((n) => {
          sent += n;
          events.bytes(n);
        });
      } catch (error) {
        if (sent) events.bytes(-sent);
        if (attempt >= this.settings.attempts || !retryable(error)) throw error;
        events.retry?.(what, error as Error, attempt);
        await sleep(this.settings.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  partSizeFor(size: number): number {
    let partSize = Math.max(this.settings.partSize, MIN_PART_SIZE);
    while (Math.ceil(size / partSize) > MAX_PARTS) partSize *= 2;
    return partSize;
  }

  async upload(file: LocalFile, events: FileEvents, signal?: AbortSignal): Promise<FileUploadResult> {
    const id = UploadJournal.fingerprint(this.client.apiUrl, file);
    const entry = this.journal.get(id);
    if (entry?.state === 'uploaded' && entry.assetId && !this.settings.force) {
      events.bytes(file.size);
      return {
        assetId: entry.assetId,
        key: entry.key,
        skipped: true,
        resumed: false,
        multipart: !!entry.multipart,
      };
    }
    const base = { file: file.path, size: file.size, mtimeMs: file.mtimeMs, apiUrl: this.client.apiUrl };
    if (file.size >= this.settings.multipartThreshold) {
      return this.uploadMultipart(file, id, base, entry, events, signal);
    }
    const upload = await this.withRetry('POST /uploads', events, () =>
      this.client.createUpload(
        { fileName: file.name, contentType: file.contentType, size: file.size },
        signal,
      ),
    );
    await this.journal.set(id, { ...base, state: 'uploading', assetId: upload.assetId, key: upload.key });
    await this.withRetry('upload', events, (sent) =>
      postPresignedForm({
        url: upload.upload.url,
        fields: upload.upload.fields,
        file: file.path,
        fileName: file.name,
        size: file.size,
        contentType: file.contentType,
        onBytes: sent,
        signal,
      }),
    );
    await this.journal.set(id, { ...base, state: 'uploaded', assetId: upload.assetId, key: upload.key });
    return { assetId: upload.assetId, key: upload.key, skipped: false, resumed: false, multipart: false };
  }

  private async uploadMultipart(
    file: LocalFile,
    id: string,
    base: Pick<JournalEntry, 'file' | 'size' | 'mtimeMs' | 'apiUrl'>,
    entry: JournalEntry | undefined,
    events: FileEvents,
    signal?: AbortSignal,
  ): Promise<FileUploadResult> {
    let upload: MultipartUpload | undefined;
    let partSize = this.partSizeFor(file.size);
    const done = new Map<number, string>();
    let resumed = false;
    if (entry?.multipart && entry.state === 'uploading') {
      const previous: MultipartUpload = {
        key: entry.multipart.key,
        uploadId: entry.multipart.uploadId,
        assetId: entry.assetId,
      };
      try {
        // S3 is the truth about which parts arrived; the journal only says where to ask.
        const parts = await this.withRetry('list parts', events, () =>
          this.client.listParts(previous, signal),
        );
        upload = previous;
        partSize = entry.multipart.partSize;
        for (const part of parts) if (part.PartNumber && part.ETag) done.set(part.PartNumber, part.ETag);
        resumed = true;
      } catch (error) {
        if (!(error instanceof SluiceApiError) || error.kind !== 'api') throw error;
        // The upload is gone (completed, aborted or expired): start over.
      }
    }
    if (!upload) {
      upload = await this.withRetry('create multipart upload', events, () =>
        this.client.createMultipartUpload({ filename: file.name, type: file.contentType }, signal),
      );
    }
    const assetId = upload.assetId;
    if (!assetId) throw new Error(`The multipart key ${upload.key} does not carry an asset id`);
    const journalEntry = {
      ...base,
      state: 'uploading' as const,
      assetId,
      key: upload.key,
      multipart: { uploadId: upload.uploadId, key: upload.key, partSize },
    };
    await this.journal.set(id, {
      ...journalEntry,
      parts: [...done].map(([PartNumber, ETag]) => ({ PartNumber, ETag })),
    });

    const count = Math.max(1, Math.ceil(file.size / partSize));
    for (const partNumber of done.keys()) {
      const start = (partNumber - 1) * partSize;
      events.bytes(Math.max(0, Math.min(file.size, start + partSize) - start));
    }
    const pending = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
    let partsSent = 0;
    const current = upload;
    const worker = async () => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
        const partNumber = next;
        const start = (partNumber - 1) * partSize;
        const end = Math.min(file.size, start + partSize);
        const etag = await this.withRetry(`part ${partNumber}`, events, async (sent) => {
          const { url } = await this.client.signPart(current, partNumber, signal);
          return putPresignedPart({ url, file: file.path, start, end, onBytes: sent, signal });
        });
        done.set(partNumber, etag);
        partsSent++;
        await this.journal.set(id, {
          ...journalEntry,
          parts: [...done].map(([PartNumber, ETag]) => ({ PartNumber, ETag })),
        });
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.settings.partConcurrency, pending.length) }, worker),
    );
    const parts = [...done].sort(([a], [b]) => a - b).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
    await this.withRetry('complete multipart upload', events, () =>
      this.client.completeMultipartUpload(current, parts, signal),
    );
    await this.journal.set(id, {
      ...base,
      state: 'uploaded',
      assetId,
      key: upload.key,
      multipart: journalEntry.multipart,
    });
    return { assetId, key: upload.key, skipped: false, resumed, multipart: true, partsSent };
  }
}
