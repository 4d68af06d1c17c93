import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalFile } from './walk';

/*
 * The resume journal: what has been uploaded, and how far each multipart upload got, so that an
 * interrupted `sluice upload` run again skips finished files and sends only the missing parts.
 * One JSON file, rewritten atomically after each change. Keyed by API, path, size and mtime: a
 * file changed since is uploaded anew.
 */

export interface JournalEntry {
  file: string;
  size: number;
  mtimeMs: number;
  apiUrl: string;
  state: 'uploading' | 'uploaded';
  assetId?: string;
  key?: string;
  multipart?: { uploadId: string; key: string; partSize: number };
  parts?: { PartNumber: number; ETag: string }[];
  updatedAt: string;
}

interface JournalFile {
  version: 1;
  entries: Record<string, JournalEntry>;
}

export class UploadJournal {
  private data: JournalFile = { version: 1, entries: {} };
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly file: string | undefined) {
    if (file && existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as JournalFile;
        if (parsed.version === 1 && parsed.entries) this.data = parsed;
      } catch {
        // A damaged journal only costs a re-upload.
      }
    }
  }

  static fingerprint(apiUrl: string, file: LocalFile): string {
    return createHash('sha256')
      .update(`${apiUrl}\n${file.path}\n${file.size}\n${file.mtimeMs}`)
      .digest('hex')
      .slice(0, 32);
  }

  get(id: string): JournalEntry | undefined {
    return this.data.entries[id];
  }

  async set(id: string, entry: Omit<JournalEntry, 'updatedAt'>): Promise<void> {
    this.data.entries[id] = { ...entry, updatedAt: new Date().toISOString() };
    await this.flush();
  }

  async remove(id: string): Promise<void> {
    delete this.data.entries[id];
    await this.flush();
  }

  private flush(): Promise<void> {
    const { file } = this;
    if (!file) return Promise.resolve();
    this.writing = this.writing.then(() => {
      mkdirSync(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(this.data));
      renameSync(temp, file);
    });
    return this.writing;
  }
}
