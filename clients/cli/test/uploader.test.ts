import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { MultipartUpload, SluiceClient } from '@sluice/client';
import { UploadJournal } from '../src/upload/journal';
import { FileUploader, MIB } from '../src/upload/uploader';
import { collectFiles } from '../src/upload/walk';
import { tempDir } from './support';

const ASSET = '5a784a27-8385-4c63-a406-58f738a3f900';
const KEY = `uploads/dev/${ASSET}/big.txt`;

/**
 * A stand-in S3 for part PUTs (fails the PUTs it is told to, once each, with a 500), and a client
 * whose multipart calls are recorded: the uploader's own logic, with no emulator.
 */
class FakeS3 {
  readonly parts = new Map<number, Buffer>();
  readonly failOnce = new Set<number>();
  readonly failAlways = new Set<number>();
  readonly puts: number[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const partNumber = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('partNumber'));
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.puts.push(partNumber);
        if (this.failAlways.has(partNumber) || this.failOnce.delete(partNumber)) {
          response
            .writeHead(500)
            .end('<Error><Code>InternalError</Code><Message>try again</Message></Error>');
          return;
        }
        const body = Buffer.concat(chunks);
        this.parts.set(partNumber, body);
        response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  client(calls: string[], existing: number[] = []): SluiceClient {
    const upload: MultipartUpload = { key: KEY, uploadId: 'U1', assetId: ASSET };
    return {
      apiUrl: 'http://api.test',
      createMultipartUpload: async () => {
        calls.push('create');
        return upload;
      },
      signPart: async (_u: MultipartUpload, partNumber: number) => ({
        url: `${this.url}/part?partNumber=${partNumber}`,
      }),
      listParts: async () => {
        calls.push('list');
        return existing.map((n) => ({ PartNumber: n, ETag: `"e${n}"` }));
      },
      completeMultipartUpload: async (_u: MultipartUpload, parts: { PartNumber: number }[]) => {
        calls.push(`complete ${parts.map((p) => p.PartNumber).join(',')}`);
        return {};
      },
    } as unknown as SluiceClient;
  }
}

let s3: FakeS3;
beforeEach(async () => {
  s3 = new FakeS3();
  await s3.start();
});
afterEach(() => s3.stop());

function bigFile(dir: string, size: number): string {
  const file = path.join(dir, 'big.txt');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, Buffer.alloc(size, 'abcdefghij'));
  return file;
}

const settings = {
  multipartThreshold: 5 * MIB,
  partSize: 5 * MIB,
  partConcurrency: 2,
  attempts: 3,
  force: false,
  retryDelayMs: 1,
};

test('a part that fails is retried alone, its bytes counted once, and the upload completes in order', async () => {
  const dir = tempDir('parts');
  const file = bigFile(dir, 12 * MIB);
  const [local] = collectFiles([file]);
  s3.failOnce.add(2);
  const calls: string[] = [];
  const retries: string[] = [];
  let progress = 0;
  const uploader = new FileUploader(
    s3.client(calls),
    new UploadJournal(path.join(dir, 'journal.json')),
    settings,
  );
  const result = await uploader.upload(local as never, {
    bytes: (delta) => {
      progress += delta;
    },
    retry: (what) => retries.push(what),
  });
  expect(result).toMatchObject({ assetId: ASSET, multipart: true, resumed: false, partsSent: 3 });
  expect(retries).toEqual(['part 2']);
  expect(s3.puts.filter((n) => n === 2)).toHaveLength(2);
  expect(s3.puts.filter((n) => n !== 2).sort()).toEqual([1, 3]);
  expect(calls).toEqual(['create', 'complete 1,2,3']);
  expect(progress).toBe(12 * MIB);
  expect(Buffer.concat([1, 2, 3].map((n) => s3.parts.get(n) as Buffer)).equals(readFileSync(file))).toBe(
    true,
  );
});

test('a resumed upload lists the parts S3 has and sends only the others; a finished file is skipped', async () => {
  const dir = tempDir('resume');
  const file = bigFile(dir, 12 * MIB);
  const [local] = collectFiles([file]);
  const journal = new UploadJournal(path.join(dir, 'journal.json'));
  await journal.set(UploadJournal.fingerprint('http://api.test', local as never), {
    file,
    size: 12 * MIB,
    mtimeMs: local?.mtimeMs ?? 0,
    apiUrl: 'http://api.test',
    state: 'uploading',
    assetId: ASSET,
    key: KEY,
    multipart: { uploadId: 'U1', key: KEY, partSize: 5 * MIB },
  });
  const calls: string[] = [];
  const uploader = new FileUploader(s3.client(calls, [1, 3]), journal, settings);
  const result = await uploader.upload(local as never, { bytes: () => {} });
  expect(result).toMatchObject({ resumed: true, partsSent: 1 });
  expect(s3.puts).toEqual([2]);
  expect(calls).toEqual(['list', 'complete 1,2,3']);

  // Done now: a third run sends nothing.
  const again = await new FileUploader(
    s3.client(calls),
    new UploadJournal(path.join(dir, 'journal.json')),
    settings,
  ).upload(local as never, { bytes: () => {} });
  expect(again).toMatchObject({ skipped: true, assetId: ASSET });
  expect(s3.puts).toEqual([2]);
});

test('a part that keeps failing fails the file after the last try, with S3 error in the message', async () => {
  const dir = tempDir('fail');
  const file = bigFile(dir, 6 * MIB);
  const [local] = collectFiles([file]);
  const calls: string[] = [];
  const uploader = new FileUploader(s3.client(calls), new UploadJournal(undefined), {
    ...settings,
    attempts: 2,
  });
  s3.failAlways.add(1);
  await expect(uploader.upload(local as never, { bytes: () => {} })).rejects.toThrow(
    /HTTP 500: InternalError: try again/,
  );
  expect(calls).toEqual(['create']);
});

test('walk: folders recursively in order, dotfiles skipped, a missing path is a usage error', () => {
  const dir = tempDir('walk');
  mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(path.join(dir, 'a', 'z.jpg'), 'z');
  writeFileSync(path.join(dir, 'a', 'b', 'y.png'), 'y');
  writeFileSync(path.join(dir, 'a', '.hidden'), 'h');
  const files = collectFiles(['a'], {}, dir);
  expect(files.map((f) => [f.display, f.contentType])).toEqual([
    ['a/b/y.png', 'image/png'],
    ['a/z.jpg', 'image/jpeg'],
  ]);
  expect(collectFiles(['a'], { includeHidden: true }, dir)).toHaveLength(3);
  expect(() => collectFiles(['nope'], {}, dir)).toThrow('No such file or folder: nope');
});
