import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger, type S3ObjectEvent, type UploadLocation, uploadKey } from '@sluice/runtime';
import { RecordingPublisher } from '@sluice/runtime/testing';
import { SharpImageRenderer } from '../../src/adapters/sharp-image-renderer';
import type { ProcessUploadDeps } from '../../src/app/process-upload';
import { DEFAULT_PRESETS } from '../../src/domain/presets';
import { InMemoryStorage } from './in-memory-storage';

export const FIXTURES = resolve(__dirname, '../../../../../shared/fixtures');
export const INGEST = 'ingest-bucket';
export const PROCESSED = 'processed-bucket';

export function fixture(path: string): Buffer {
  return readFileSync(resolve(FIXTURES, path));
}

const logger = createLogger('processor-test');
logger.setLogLevel('SILENT');

export interface Harness {
  storage: InMemoryStorage;
  events: RecordingPublisher;
  deps: ProcessUploadDeps;
  location: UploadLocation;
  key: string;
  /** The S3 event for the object as seeded, with a given sequencer. */
  event(sequencer?: string): S3ObjectEvent;
  /** Overwrites the upload (a new write of the same key) and returns its event. */
  overwrite(body: Buffer | string, sequencer: string, contentType?: string): S3ObjectEvent;
}

export function harness(
  body: Buffer | string,
  options: {
    fileName?: string;
    contentType?: string;
    assetId?: string;
    deps?: Partial<ProcessUploadDeps>;
  } = {},
): Harness {
  const storage = new InMemoryStorage();
  const events = new RecordingPublisher();
  const location = {
    tenantId: 'acme',
    assetId: options.assetId ?? '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c',
    fileName: options.fileName ?? 'upload.bin',
  };
  const key = uploadKey(location);
  let eTag = storage.seed(key, body, options.contentType);
  const deps: ProcessUploadDeps = {
    originals: storage.originals,
    outputs: storage.outputs,
    renderer: new SharpImageRenderer(),
    events,
    logger,
    presets: DEFAULT_PRESETS,
    maxImageBytes: 100 * 1024 * 1024,
    ingestBucket: INGEST,
    processedBucket: PROCESSED,
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    ...options.deps,
  };
  const event = (sequencer = '0055AED6DCD90281E5'): S3ObjectEvent => ({
    eventName: 'ObjectCreated:Post',
    eventTime: '2026-01-01T00:00:00.000Z',
    bucket: INGEST,
    key,
    eTag: eTag.replace(/"/g, ''),
    sequencer,
  });
  return {
    storage,
    events,
    deps,
    location,
    key,
    event,
    overwrite(next, sequencer, contentType) {
      eTag = storage.seed(key, next, contentType);
      return event(sequencer);
    },
  };
}
