import { createHash } from 'node:crypto';
import { mayReplace } from '../../src/domain/ordering';
import type {
  OriginalHead,
  OriginalStore,
  OutputObject,
  OutputStore,
  StoredManifest,
} from '../../src/ports/storage';

interface Entry {
  body: Buffer;
  eTag: string;
  contentType?: string;
  sequencer?: string;
}

function entry(body: Buffer, contentType?: string, sequencer?: string): Entry {
  return { body, eTag: `"${createHash('md5').update(body).digest('hex')}"`, contentType, sequencer };
}

/**
 * The ingest and processed buckets in memory, with S3's conditional semantics (If-Match pinned reads,
 * conditional copy and delete, compare-and-swap writes), and counters for the tests to assert on.
 */
export class InMemoryStorage {
  readonly ingest = new Map<string, Entry>();
  readonly processed = new Map<string, Entry>();
  /** Every object write to the processed bucket, in order (renditions and manifests). */
  readonly writes: string[] = [];
  /** Full reads of originals: a replay must not read (decode) anything. */
  reads = 0;
  /** Called before each processed-bucket write: tests use it to interleave a concurrent writer. */
  beforeWrite?: (key: string) => void;

  seed(key: string, body: Buffer | string, contentType?: string): string {
    const e = entry(Buffer.from(body), contentType);
    this.ingest.set(key, e);
    return e.eTag;
  }

  readonly originals: OriginalStore = {
    head: async (key): Promise<OriginalHead | null> => {
      const e = this.ingest.get(key);
      return e ? { size: e.body.length, eTag: e.eTag, contentType: e.contentType } : null;
    },
    read: async (key, eTag) => {
      const e = this.ingest.get(key);
      if (!e || e.eTag !== eTag) return null;
      this.reads++;
      return Buffer.from(e.body);
    },
    readStart: async (key, eTag, length) => {
      const e = this.ingest.get(key);
      return e && e.eTag === eTag ? Buffer.from(e.body.subarray(0, length)) : null;
    },
    sha256: async (key, eTag) => {
      const e = this.ingest.get(key);
      return e && e.eTag === eTag ? createHash('sha256').update(e.body).digest('hex') : null;
    },
    quarantine: async (key, eTag, quarantineKey) => {
      const e = this.ingest.get(key);
      if (!e || e.eTag !== eTag) return 'changed';
      this.ingest.set(quarantineKey, { ...e });
      this.ingest.delete(key);
      return 'moved';
    },
  };

  readonly outputs: OutputStore = {
    getManifest: async (key): Promise<StoredManifest | null> => {
      const e = this.processed.get(key);
      return e ? { doc: JSON.parse(e.body.toString('utf8')), eTag: e.eTag } : null;
    },
    putUnlessNewer: async (object: OutputObject) => {
      this.beforeWrite?.(object.key);
      const current = this.processed.get(object.key);
      if (current && !mayReplace(current.sequencer, object.sequencer)) return 'superseded';
      this.processed.set(object.key, entry(object.body, object.contentType, object.sequencer));
      this.writes.push(object.key);
      return 'written';
    },
    deleteUnlessNewer: async (key, sequencer) => {
      const current = this.processed.get(key);
      if (current && !mayReplace(current.sequencer, sequencer)) return 'kept';
      this.processed.delete(key);
      return 'deleted';
    },
  };

  /** A processed object's body. */
  output(key: string): Buffer | undefined {
    return this.processed.get(key)?.body;
  }

  /** A processed JSON object, parsed. */
  json(key: string): unknown {
    const body = this.output(key);
    return body ? JSON.parse(body.toString('utf8')) : undefined;
  }

  processedKeys(): string[] {
    return [...this.processed.keys()].sort();
  }

  ingestKeys(): string[] {
    return [...this.ingest.keys()].sort();
  }
}
