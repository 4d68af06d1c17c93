import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type AssetManifest,
  assertValid,
  topology as contractsTopology,
  type RejectionRecord,
  type Topology,
} from '@sluice/contracts';
import { type LocalStack, startStack } from '@sluice/local';
import { manifestKey, quarantineKey, rejectionKey, sanitizeFileName, uploadKey } from '@sluice/runtime';
import { type AuditRun, deploymentFileFor, drainAll, settle } from './audit-support';
import {
  awsClients,
  FIXTURES,
  fixture,
  objectExists,
  PipelineEventTap,
  postFile,
  requestUpload,
} from './support';

/**
 * Bad input through the whole pipeline (ingest API or straight to the bucket, processor, indexer,
 * archiver): every fixture of ../shared/fixtures and generated hostile inputs, each with its
 * documented outcome (README, "What goes in, what comes out"): processed with the metadata its
 * bytes carry, or rejected with the documented reason and kept in quarantine. Then the audit:
 * nothing stuck, lost, orphaned or duplicated.
 */

jest.setTimeout(300_000);

const NAME_PREFIX = `sluice-e2e-bad-${process.pid}`; // Per run: two checkouts may run it at once.
const TENANT = 'dev'; // The dev token's tenant: API uploads and bucket drops share it.
const MIB = 1024 ** 2;
/** Lowered for this test so a 24 MiB image exercises the too-large rejection without 100 MiB files. */
const MAX_IMAGE_BYTES = 20 * MIB;

type Reason =
  | 'empty-file'
  | 'too-large'
  | 'pixel-limit'
  | 'undecodable-image'
  | 'unsupported-image-format'
  | 'unsafe-image-format';

type Outcome =
  | { rejected: Reason }
  | {
      processed: {
        mime: string;
        kind: string;
        mismatch?: boolean;
        image?: { width: number; height: number };
        renditions: number;
        text?: boolean;
      };
    };

interface Case {
  label: string;
  body: Buffer;
  fileName: string;
  contentType: string;
  /** Through POST /uploads and the presigned POST, or dropped straight into the ingest bucket. */
  via: 'api' | 'bucket';
  expected: Outcome;
  /** Set once uploaded. */
  assetId?: string;
  key?: string;
}

// ---- every fixture, with the outcome the processor's README documents for it ----

interface Row {
  file: string;
  bytes: number;
  sha256: string;
  format: string;
  width: number;
  height: number;
}
const rows: Row[] = readFileSync(path.join(FIXTURES, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file, bytes, sha256, , , , format, width, height] = line.split('\t');
    return {
      file: file as string,
      bytes: Number(bytes),
      sha256: sha256 as string,
      format: format as string,
      width: Number(width),
      height: Number(height),
    };
  });

const REJECTED: Record<string, Reason> = {
  'avif/sequence-avis.avif': 'unsupported-image-format',
  'heic/small.heif': 'unsupported-image-format',
  'heic/iphone-gps-orient6.heic': 'unsupported-image-format',
  'heic/collection-4.heic': 'unsupported-image-format',
  'svg/simple.svg': 'unsafe-image-format',
  'svg/external-ref-embedded.svg': 'unsafe-image-format',
  'broken/truncated.jpg': 'undecodable-image',
  'broken/corrupt-header.jpg': 'undecodable-image',
  'broken/corrupt-data.jpg': 'undecodable-image',
  'broken/empty.jpg': 'empty-file',
  'broken/truncated.png': 'undecodable-image',
  'broken/corrupt.png': 'undecodable-image',
  'broken/pixel-bomb-20000x14000.jpg': 'pixel-limit',
  'broken/pixel-bomb-65536x65536.png': 'pixel-limit',
  'other/bitmap.bmp': 'unsupported-image-format',
};
const PASSED_THROUGH: Record<string, { mime: string; kind: string; text: boolean }> = {
  'other/document.pdf': { mime: 'application/pdf', kind: 'document', text: false },
  'other/readme.txt': { mime: 'text/plain', kind: 'text', text: true },
  'other/package.json': { mime: 'application/json', kind: 'text', text: true },
  'broken/json-named-webp.webp': { mime: 'application/json', kind: 'text', text: true },
};
const DECLARED: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  tif: 'image/tiff',
  heic: 'image/heic',
  heif: 'image/heif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  json: 'application/json',
};
const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heif: 'image/avif',
  tiff: 'image/tiff',
};

function fixtureCases(): Case[] {
  return rows.map((row): Case => {
    const ext = row.file.split('.').pop() ?? '';
    const base = {
      label: row.file,
      body: fixture(row.file),
      fileName: path.basename(row.file),
      via: 'bucket' as const,
    };
    const contentType = DECLARED[ext] ?? 'application/octet-stream';
    const reason = REJECTED[row.file];
    if (reason) return { ...base, contentType, expected: { rejected: reason } };
    const through = PASSED_THROUGH[row.file];
    if (through)
      return {
        ...base,
        contentType,
        expected: {
          processed: { mime: through.mime, kind: through.kind, renditions: 0, text: through.text },
        },
      };
    return {
      ...base,
      contentType,
      expected: {
        processed: {
          // An animated PNG is told apart from a still one (its acTL chunk).
          mime: row.file.includes('apng') ? 'image/apng' : (MIME[row.format] ?? `image/${row.format}`),
          kind: 'image',
          mismatch: false,
          image: { width: row.width, height: row.height },
          renditions: 7,
        },
      },
    };
  });
}

// ---- generated hostile input ----

/** A PNG whose IHDR claims width x height (CRC fixed up): a pixel bomb in a few kilobytes. */
function pngClaiming(width: number, height: number): Buffer {
  const png = Buffer.from(fixture('png/palette.png'));
  // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A JPEG whose SOF0/SOF2 frame header claims width x height. */
function jpegClaiming(width: number, height: number): Buffer {
  const jpeg = Buffer.from(fixture('jpeg/baseline-canon-40d.jpg'));
  for (let i = 2; i < jpeg.length - 9; ) {
    if (jpeg[i] !== 0xff) throw new Error('not a JPEG marker');
    const marker = jpeg[i + 1] as number;
    const length = jpeg.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

/** A one-entry ZIP archive (stored), to append to other files. */
function tinyZip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const nameBytes = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(30 + nameBytes.length + data.length, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

const truncated = (file: string, fraction: number) => {
  const body = fixture(file);
  return body.subarray(0, Math.floor(body.length * fraction));
};

function hostileCases(): Case[] {
  const image = (width: number, height: number, mime: string): Outcome => ({
    processed: { mime, kind: 'image', image: { width, height }, renditions: 7 },
  });
  const jpeg = fixture('jpeg/baseline-canon-40d.jpg');
  const cases: Case[] = [
    // Pixel bombs: dimensions read from the header, refused before any pixel is decoded.
    {
      label: 'PNG claiming 40000x40000',
      body: pngClaiming(40_000, 40_000),
      fileName: 'bomb.png',
      contentType: 'image/png',
      via: 'api',
      expected: { rejected: 'pixel-limit' },
    },
    {
      label: 'JPEG claiming 65000x65000',
      body: jpegClaiming(65_000, 65_000),
      fileName: 'bomb.jpg',
      contentType: 'image/jpeg',
      via: 'api',
      expected: { rejected: 'pixel-limit' },
    },
    // Truncated files.
    {
      label: 'JPEG cut in half',
      body: truncated('jpeg/baseline-photo-2725x2225.jpg', 0.5),
      fileName: 'half.jpg',
      contentType: 'image/jpeg',
      via: 'bucket',
      expected: { rejected: 'undecodable-image' },
    },
    {
      label: 'PNG cut in half',
      body: truncated('png/alpha-rgba.png', 0.5),
      fileName: 'half.png',
      contentType: 'image/png',
      via: 'bucket',
      expected: { rejected: 'undecodable-image' },
    },
    {
      label: 'WebP cut in half',
      body: truncated('webp/lossy.webp', 0.5),
      fileName: 'half.webp',
      contentType: 'image/webp',
      via: 'bucket',
      expected: { rejected: 'undecodable-image' },
    },
    // Polyglots: the leading magic number decides, never a later one.
    {
      label: 'JPEG + ZIP polyglot',
      body: Buffer.concat([fixture('jpeg/progressive.jpg'), tinyZip('payload.txt', 'hello')]),
      fileName: 'poly.jpg',
      contentType: 'image/jpeg',
      via: 'api',
      expected: image(200, 133, 'image/jpeg'),
    },
    {
      label: 'GIF header + JavaScript polyglot',
      body: Buffer.from('GIF89a/*\u0000\u0000*/=1;alert(document.domain);//'),
      fileName: 'poly.gif',
      contentType: 'image/gif',
      via: 'api',
      expected: { rejected: 'undecodable-image' },
    },
    {
      label: 'PDF + ZIP polyglot',
      body: Buffer.concat([fixture('other/document.pdf'), tinyZip('evil.js', 'alert(1)')]),
      fileName: 'poly.pdf',
      contentType: 'application/pdf',
      via: 'api',
      expected: { processed: { mime: 'application/pdf', kind: 'document', renditions: 0 } },
    },
    // Declared types that lie: the bytes win, the lie is recorded.
    {
      label: 'SVG declared as a PNG',
      body: fixture('svg/simple.svg'),
      fileName: 'photo.png',
      contentType: 'image/png',
      via: 'api',
      expected: { rejected: 'unsafe-image-format' },
    },
    {
      label: 'JPEG declared as a PNG',
      body: jpeg,
      fileName: 'photo.png',
      contentType: 'image/png',
      via: 'api',
      expected: {
        processed: {
          mime: 'image/jpeg',
          kind: 'image',
          mismatch: true,
          image: { width: 100, height: 68 },
          renditions: 7,
        },
      },
    },
    {
      label: 'HTML declared as a JPEG',
      body: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n'),
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
      via: 'api',
      expected: { processed: { mime: 'text/html', kind: 'text', mismatch: true, renditions: 0, text: true } },
    },
    {
      label: 'PNG declared as plain text',
      body: fixture('png/palette.png'),
      fileName: 'notes.txt',
      contentType: 'text/plain',
      via: 'api',
      expected: {
        processed: {
          mime: 'image/png',
          kind: 'image',
          mismatch: true,
          image: { width: 68, height: 68 },
          renditions: 7,
        },
      },
    },
    // Zero bytes, through the API (a presigned POST for exactly 0 bytes).
    {
      label: 'zero-byte upload',
      body: Buffer.alloc(0),
      fileName: 'nothing.jpg',
      contentType: 'image/jpeg',
      via: 'api',
      expected: { rejected: 'empty-file' },
    },
    // Large: 50 MiB of noise through the presigned POST (hashed as a stream, archived by one copy),
    // and a 24 MiB JPEG over the (lowered) image limit, judged from its first 64 KiB.
    {
      label: '50 MiB of random bytes',
      body: randomBytes(50 * MIB),
      fileName: 'noise.mp4',
      contentType: 'video/mp4',
      via: 'api',
      expected: {
        processed: { mime: 'application/octet-stream', kind: 'other', mismatch: true, renditions: 0 },
      },
    },
    {
      label: '24 MiB JPEG over the image limit',
      body: Buffer.concat([jpeg, Buffer.alloc(24 * MIB)]),
      fileName: 'huge.jpg',
      contentType: 'image/jpeg',
      via: 'bucket',
      expected: { rejected: 'too-large' },
    },
  ];
  // Hostile file names through the API: sanitized into one safe key segment, the file still processed.
  const names = [
    '../../etc/passwd.jpg',
    '..\\..\\windows\\system32\\win.ini.jpg',
    '<img src=x onerror=alert(1)>.jpg',
    'null\u0000byte\u0007bell.jpg',
    'tab\there\nnewline.jpg',
    '   ...hidden.jpg',
    '100% + café #1?.jpg',
    '📷 фото 写真 e\u0301te.jpg',
    'right-to-left \u202Egpj.exe',
    `${'long'.repeat(80)}.jpg`,
    'CON.jpg',
  ];
  for (const name of names)
    cases.push({
      label: `file name ${JSON.stringify(name).slice(0, 40)}`,
      body: jpeg,
      fileName: name,
      contentType: 'image/jpeg',
      via: 'api',
      expected: image(100, 68, 'image/jpeg'),
    });
  // Keys written by other S3 clients, inside the layout but unsanitized: spaces, +, %, #, ?, unicode.
  for (const name of ['a b+c%2Bd #1?.gif', '日本語 ファイル.gif', 'Ünïcødé (copy) [2].gif'])
    cases.push({
      label: `bucket key ${name}`,
      body: fixture('gif/static.gif'),
      fileName: name,
      contentType: 'image/gif',
      via: 'bucket',
      expected: image(200, 133, 'image/gif'),
    });
  return cases;
}

describe('bad input through the whole pipeline', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let tap: PipelineEventTap;
  let target: ReturnType<typeof deploymentFileFor>;
  let buckets: { ingest: string; processed: string; archive: string };
  let queueUrls: string[];
  const cases = [...fixtureCases(), ...hostileCases()];
  /** Objects outside the key layout: nothing processes them, and the audit must say so. */
  const outside = ['uploads/stray.jpg', `uploads/${TENANT}/not-a-uuid/photo.jpg`];
  let settled: AuditRun;

  beforeAll(async () => {
    const t = structuredClone(contractsTopology) as Topology;
    const processor = t.services.processor;
    if (!processor) throw new Error('topology without the processor');
    processor.environment.PROCESSOR_MAX_IMAGE_BYTES = { value: String(MAX_IMAGE_BYTES) };
    stack = await startStack({
      stateFile: false,
      namePrefix: NAME_PREFIX,
      services: ['ingest', 'processor', 'indexer', 'archiver'],
      topology: t,
      webRoot: false,
    });
    aws = awsClients(stack.awsEndpoint);
    const b = stack.resources.buckets;
    buckets = { ingest: b.ingest as string, processed: b.processed as string, archive: b.archive as string };
    target = deploymentFileFor(stack, NAME_PREFIX);
    queueUrls = ['processor-queue', 'indexer-queue', 'archiver-queue'].map(
      (q) => stack.resources.queues[q]?.url as string,
    );
    tap = await PipelineEventTap.attach(
      aws.sns,
      aws.sqs,
      stack.resources.topics['pipeline-events'] as string,
      'e2e-bad-tap',
    );

    // Everything goes in at once (eight at a time), as a real burst of bad input would.
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await send(c);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    for (const key of outside)
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: buckets.ingest,
          Key: key,
          Body: fixture('jpeg/baseline-canon-40d.jpg'),
        }),
      );

    // The pipeline settles with exactly the two objects outside the layout reported, then, once
    // an operator removed them, with no problem at all.
    const before = await settle(aws.sqs, queueUrls, target.file, target.searchIndex, {
      timeoutMs: 240_000,
      accept: (run) => run.report.findings.filter((f) => f.severity === 'problem').length === outside.length,
    });
    expect(before.report.findings.map((f) => `${f.kind} ${f.objects.join(' ')}`).sort()).toEqual(
      outside.map((key) => `unrecognized-upload ${buckets.ingest}/${key}`).sort(),
    );
    for (const key of outside)
      await aws.s3.send(new DeleteObjectCommand({ Bucket: buckets.ingest, Key: key }));
    settled = await settle(aws.sqs, queueUrls, target.file, target.searchIndex);
  }, 360_000);

  afterAll(async () => {
    target?.remove();
    await stack?.stop();
  });

  async function send(c: Case): Promise<void> {
    if (c.via === 'bucket') {
      c.assetId = randomUUID();
      c.key = uploadKey({ tenantId: TENANT, assetId: c.assetId, fileName: c.fileName });
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: buckets.ingest,
          Key: c.key,
          Body: c.body,
          ContentType: c.contentType,
        }),
      );
      return;
    }
    const { status, json } = await requestUpload(stack.apiUrl, stack.devToken, {
      fileName: c.fileName,
      contentType: c.contentType,
      size: c.body.length,
    });
    if (status !== 201)
      throw new Error(`${c.label}: POST /uploads answered ${status} ${JSON.stringify(json)}`);
    c.assetId = json.assetId;
    c.key = json.key;
    const posted = await postFile(json.upload, c.body, c.contentType);
    if (posted !== 204) throw new Error(`${c.label}: the presigned POST answered ${posted}`);
  }

  async function json<T>(bucket: string, key: string): Promise<T | null> {
    try {
      const out = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse((await out.Body?.transformToString()) ?? 'null') as T;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  it('ends with the audit finding nothing, every asset complete or rejected', () => {
    expect(settled.lastLine).toBe('problems: 0');
    const states = Object.fromEntries(settled.report.assets.map((a) => [a.assetId, a.state]));
    for (const c of cases)
      expect([c.label, states[c.assetId as string]]).toEqual([
        c.label,
        'rejected' in c.expected ? 'rejected' : 'complete',
      ]);
  });

  it('sanitizes hostile file names into one safe key segment', () => {
    for (const c of cases.filter((x) => x.via === 'api')) {
      const fileName = sanitizeFileName(c.fileName);
      expect(c.key).toBe(uploadKey({ tenantId: TENANT, assetId: c.assetId as string, fileName }));
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may survive
      expect(fileName).not.toMatch(/[/\\\u0000-\u001f]/);
      expect(Buffer.byteLength(fileName)).toBeLessThanOrEqual(200);
    }
  });

  it.each(cases.map((c) => [c.label, c] as const))('%s: its documented outcome', async (_label, c) => {
    const assetId = c.assetId as string;
    const events = (await drainAll(tap)).filter((e) => e.assetId === assetId);
    if ('rejected' in c.expected) {
      const record = await json<RejectionRecord>(buckets.processed, rejectionKey(assetId));
      expect(record).toMatchObject({ reason: c.expected.rejected, sourceKey: c.key });
      expect(String(record?.message).length).toBeGreaterThan(5);
      const location = {
        tenantId: TENANT,
        assetId,
        fileName: (c.key as string).split('/').slice(3).join('/'),
      };
      expect(await objectExists(aws.s3, buckets.ingest, quarantineKey(location))).toBe(true);
      expect(await objectExists(aws.s3, buckets.processed, manifestKey(assetId))).toBe(false);
      expect(
        events
          .filter((e) => e.type === 'asset.rejected')
          .map((e) => (e.detail as { reason?: string }).reason),
      ).toContain(c.expected.rejected);
      return;
    }
    const expected = c.expected.processed;
    const manifest = assertValid(
      'asset-manifest/v1',
      await json<AssetManifest>(buckets.processed, manifestKey(assetId)),
    );
    expect(manifest.sha256).toBe(createHash('sha256').update(c.body).digest('hex'));
    expect(manifest.source.size).toBe(c.body.length);
    expect(manifest.source.key).toBe(c.key);
    expect(manifest.detected).toMatchObject({
      mime: expected.mime,
      kind: expected.kind,
      ...(expected.mismatch === undefined ? {} : { mismatch: expected.mismatch }),
    });
    expect(manifest.renditions.length).toBe(expected.renditions);
    if (expected.image) expect(manifest.image).toMatchObject(expected.image);
    else expect(manifest.image).toBeUndefined();
    if (expected.text) expect(manifest.text?.extract.length).toBeGreaterThan(0);
    for (const type of ['asset.processed', 'asset.indexed', 'asset.archived'])
      expect([type, events.some((e) => e.type === type)]).toEqual([type, true]);
  });
});
