/*
 * CPU cost of the ingest API's own work per request (no network): webhook verification, presigning,
 * and the fallback search over index documents. Run: npm run bench -w @sluice/ingest
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { IndexDocument } from '@sluice/contracts';
import { S3MultipartUploads } from '../src/adapters/s3-multipart-uploads';
import { S3UploadSigner } from '../src/adapters/s3-upload-signer';
import { searchDocuments } from '../src/domain/search-scan';
import {
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '../src/domain/webhook-signature';

const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

async function measure(name: string, runs: number, op: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(50, runs); i++) await op(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) await op();
  const perOp = (performance.now() - start) / runs;
  console.log(
    `${name.padEnd(52)} ${perOp >= 1 ? `${perOp.toFixed(2)} ms` : `${(perOp * 1000).toFixed(1)} µs`}/op (${runs} runs)`,
  );
}

const words = [
  'harbour',
  'lighthouse',
  'sunset',
  'invoice',
  'beach',
  'city',
  'mountain',
  'river',
  'portrait',
  'night',
];
function documents(count: number): IndexDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    assetId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tenantId: 'acme',
    fileName: `${words[i % 10]} ${words[(i * 7) % 10]} ${i}.jpg`,
    mime: 'image/jpeg',
    kind: 'image',
    width: 800 + (i % 5) * 100,
    height: 600,
    tags: [words[(i * 3) % 10] ?? 'x'],
    text: `${words[(i * 3) % 10]} notes about item ${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    sourceSequencer: '01',
    embedding: { model: 'm', dimension: 64, vector: Array.from({ length: 64 }, (_, j) => Math.sin(i + j)) },
  }));
}

async function main(): Promise<void> {
  const body = Buffer.alloc(1024, 0x61);
  const t = Math.floor(Date.now() / 1000);
  const headers = {
    [TIMESTAMP_HEADER]: String(t),
    [SIGNATURE_HEADER]: signWebhook('whsec_0123456789abcdef', t, body),
  };
  await measure('webhook: verify HMAC-SHA256 of a 1 KiB body', 20_000, () =>
    verifyWebhook({
      source: 'shop',
      headers,
      body,
      secrets: ['whsec_0123456789abcdef'],
      now: new Date(),
      toleranceSeconds: 300,
    }),
  );
  const signer = new S3UploadSigner(s3);
  await measure('POST /uploads: presign a POST policy', 2_000, () =>
    signer.presignPost({
      bucket: 'ingest',
      key: 'uploads/acme/3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10/a.jpg',
      contentType: 'image/jpeg',
      minBytes: 10,
      maxBytes: 10,
      expiresInSeconds: 900,
      metadata: { 'original-name': 'a.jpg' },
    }),
  );
  const multipart = new S3MultipartUploads(s3);
  await measure('multipart: presign one UploadPart URL', 2_000, () =>
    multipart.signPart({
      bucket: 'ingest',
      key: 'uploads/acme/x/a.mp4',
      uploadId: 'u',
      partNumber: 1,
      expiresInSeconds: 900,
    }),
  );
  for (const count of [200, 2000]) {
    const docs = documents(count);
    await measure(`search scan, ${count} docs, newest first`, 50, () =>
      searchDocuments('acme', docs, { limit: 20 }),
    );
    await measure(`search scan, ${count} docs, text "light sun" (BM25)`, 50, () =>
      searchDocuments('acme', docs, { q: 'light sun', limit: 20 }),
    );
    await measure(`search scan, ${count} docs, similarTo (cosine, 64-d)`, 50, () =>
      searchDocuments('acme', docs, { similarTo: docs[0]?.assetId, limit: 20 }),
    );
  }
}

void main();
