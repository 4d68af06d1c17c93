import { createHash, randomUUID } from 'node:crypto';
import { type AssetManifest, assertValid } from '@sluice/contracts';
import {
  archiveKey,
  indexDocumentKey,
  manifestKey,
  quarantineKey,
  rejectionKey,
  renditionKey,
  uploadKey,
} from '@sluice/runtime';
import { InMemoryObjectStore } from '@sluice/runtime/testing';
import { type AuditInput, auditPipeline, type DeadLetterEntry, type ListedVersion } from '../src/audit/audit';
import { formatAuditReport } from '../src/audit/command';
import { ObjectStoreAuditStorage } from '../src/audit/sources';

const buckets = { ingest: 'ingest', processed: 'processed', archive: 'archive' };
const TENANT = 'acme';
const NOW = new Date('2026-03-01T12:00:00Z');

/** A world the pipeline could have left behind, built with the services' own key layout. */
class World {
  readonly store = new InMemoryObjectStore();
  readonly modified = new Map<string, Date>();
  readonly deadLetters: DeadLetterEntry[] = [];
  private sequence = 0x1000;

  storage() {
    return new ObjectStoreAuditStorage(this.store, (bucket, key) => this.modified.get(`${bucket}/${key}`));
  }

  /** Marks an object as written `secondsAgo` before NOW (objects are otherwise "long ago"). */
  touch(bucket: string, key: string, secondsAgo: number) {
    this.modified.set(`${bucket}/${key}`, new Date(NOW.getTime() - secondsAgo * 1000));
  }

  upload(fileName = 'photo.jpg', body: Buffer | string = `bytes of ${fileName} ${randomUUID()}`) {
    const assetId = randomUUID();
    const location = { tenantId: TENANT, assetId, fileName };
    const key = uploadKey(location);
    this.store.seed(buckets.ingest, key, body, 'image/jpeg');
    return { assetId, location, key, body: Buffer.from(body) };
  }

  async process(
    u: ReturnType<World['upload']>,
    { renditions = ['thumb.webp', 'medium.jpeg'], index = true, archive = true } = {},
  ): Promise<AssetManifest> {
    const head = await this.store.head(buckets.ingest, u.key);
    const sequencer = (this.sequence++).toString(16).toUpperCase().padStart(18, '0');
    const manifest = assertValid('asset-manifest/v1', {
      assetId: u.assetId,
      tenantId: TENANT,
      source: {
        bucket: buckets.ingest,
        key: u.key,
        size: u.body.length,
        eTag: head?.eTag?.replace(/"/g, '') ?? 'unknown',
        sequencer,
        fileName: u.location.fileName,
      },
      sha256: createHash('sha256').update(u.body).digest('hex'),
      detected: { mime: 'image/jpeg', kind: 'image', ext: 'jpg', mismatch: false },
      renditions: renditions.map((r) => {
        const [preset, format] = r.split('.') as [string, string];
        return {
          preset,
          format,
          key: renditionKey(u.assetId, preset, format),
          width: 10,
          height: 10,
          bytes: 3,
          contentType: format === 'jpeg' ? 'image/jpeg' : 'image/webp',
        };
      }),
      processedAt: '2026-03-01T11:00:00.000Z',
      processorVersion: 'test',
    });
    for (const r of manifest.renditions) this.store.seed(buckets.processed, r.key, 'img', r.contentType);
    await this.store.putJson(buckets.processed, manifestKey(u.assetId), manifest);
    if (index) await this.indexDocument(manifest);
    if (archive) {
      await this.store.copy(
        { bucket: buckets.ingest, key: u.key },
        { bucket: buckets.archive, key: archiveKey(u.location) },
      );
      await this.store.delete(buckets.ingest, u.key);
    }
    return manifest;
  }

  async indexDocument(manifest: AssetManifest, sourceSequencer = manifest.source.sequencer) {
    await this.store.putJson(
      buckets.processed,
      indexDocumentKey(manifest.tenantId, manifest.assetId),
      assertValid('index-document/v1', {
        assetId: manifest.assetId,
        tenantId: manifest.tenantId,
        fileName: manifest.source.fileName,
        mime: manifest.detected.mime,
        kind: manifest.detected.kind,
        tags: [],
        createdAt: '2026-03-01T11:00:01Z',
        updatedAt: '2026-03-01T11:00:01Z',
        processedAt: manifest.processedAt,
        sourceSequencer,
      }),
    );
  }

  async reject(u: ReturnType<World['upload']>, { move = true } = {}) {
    await this.store.putJson(
      buckets.processed,
      rejectionKey(u.assetId),
      assertValid('rejection-record/v1', {
        assetId: u.assetId,
        tenantId: TENANT,
        reason: 'undecodable-image',
        message: 'VipsJpeg: Premature end of input file',
        stage: 'process',
        rejectedAt: '2026-03-01T11:00:00.000Z',
        sourceKey: u.key,
        sourceSequencer: '000000000000001000',
        quarantineKey: quarantineKey(u.location),
      }),
    );
    if (move) {
      await this.store.copy(
        { bucket: buckets.ingest, key: u.key },
        { bucket: buckets.ingest, key: quarantineKey(u.location) },
      );
      await this.store.delete(buckets.ingest, u.key);
    }
  }

  audit(extra: Partial<AuditInput> = {}) {
    return auditPipeline({
      storage: this.storage(),
      buckets,
      deadLetters: { read: async () => this.deadLetters },
      graceSeconds: 600,
      now: () => NOW,
      ...extra,
    });
  }
}

const kinds = (report: Awaited<ReturnType<World['audit']>>) =>
  report.findings.filter((f) => f.severity === 'problem').map((f) => f.kind);

describe('auditPipeline', () => {
  it('finds no problem in processed, indexed and archived assets and rejected ones in quarantine', async () => {
    const w = new World();
    await w.process(w.upload('a.jpg'));
    await w.process(w.upload('notes.txt'), { renditions: [] });
    await w.reject(w.upload('broken.jpg'));
    const report = await w.audit();
    expect(report.findings).toEqual([]);
    expect(report.problems).toBe(0);
    expect(report.states).toEqual({
      complete: 2,
      rejected: 1,
      'in-flight': 0,
      'dead-lettered': 0,
      broken: 0,
    });
    expect(report.counts).toMatchObject({
      manifests: 2,
      renditions: 2,
      indexDocuments: 2,
      rejections: 1,
      archived: 2,
    });
    expect(formatAuditReport(report).trimEnd().split('\n').pop()).toBe('problems: 0');
  });

  it('reports an upload nobody processed as stuck, unless it is younger than the grace period', async () => {
    const w = new World();
    const old = w.upload('old.jpg');
    const fresh = w.upload('fresh.jpg');
    w.touch(buckets.ingest, old.key, 3600);
    w.touch(buckets.ingest, fresh.key, 5);
    const report = await w.audit();
    expect(report.findings.map((f) => [f.kind, f.severity, f.assetId])).toEqual(
      expect.arrayContaining([
        ['stuck-upload', 'problem', old.assetId],
        ['stuck-upload', 'in-flight', fresh.assetId],
      ]),
    );
    expect(report.problems).toBe(1);
    expect(report.assets.find((a) => a.assetId === fresh.assetId)?.state).toBe('in-flight');
    const text = formatAuditReport(report);
    expect(text).toContain(`PROBLEM stuck-upload asset ${old.assetId} (tenant acme)`);
    expect(text.trimEnd().split('\n').pop()).toBe('problems: 1');
  });

  it('reports missing and orphaned renditions', async () => {
    const w = new World();
    const u = w.upload();
    await w.process(u);
    await w.store.delete(buckets.processed, renditionKey(u.assetId, 'thumb', 'webp'));
    w.store.seed(buckets.processed, renditionKey(u.assetId, 'large', 'avif'), 'img');
    w.store.seed(buckets.processed, renditionKey(randomUUID(), 'thumb', 'webp'), 'img');
    expect(kinds(await w.audit()).sort()).toEqual([
      'missing-rendition',
      'orphaned-rendition',
      'orphaned-rendition',
    ]);
  });

  it('reports a manifest without an index document, and one indexed from an older write', async () => {
    const w = new World();
    await w.process(w.upload('a.jpg'), { index: false });
    const stale = await w.process(w.upload('b.jpg'), { index: false });
    await w.indexDocument(stale, '000000000000000001');
    const report = await w.audit();
    expect(kinds(report)).toEqual(['not-indexed', 'not-indexed']);
    expect(report.findings.map((f) => f.message).join('\n')).toMatch(/older write \(000000000000000001/);
  });

  it('checks the search index against the manifests, both ways', async () => {
    const w = new World();
    const indexed = await w.process(w.upload('a.jpg'));
    const missing = await w.process(w.upload('b.jpg'));
    const orphan = randomUUID();
    const report = await w.audit({
      search: {
        description: 'test index',
        entries: async () => [
          {
            tenantId: TENANT,
            assetId: indexed.assetId,
            sourceSequencer: indexed.source.sequencer,
            processedAt: indexed.processedAt,
          },
          { tenantId: TENANT, assetId: orphan, sourceSequencer: '01' },
        ],
      },
    });
    expect(report.findings.filter((f) => f.severity === 'problem').map((f) => [f.kind, f.assetId])).toEqual(
      expect.arrayContaining([
        ['missing-from-search', missing.assetId],
        ['orphaned-search-entry', orphan],
      ]),
    );
    expect(report.problems).toBe(2);
    expect(report.counts.searchEntries).toBe(2);
  });

  it('tells not archived, archived but not deleted, lost and mismatched originals apart', async () => {
    const w = new World();
    const notArchived = w.upload('not-archived.jpg');
    await w.process(notArchived, { archive: false });
    const notDeleted = w.upload('not-deleted.jpg');
    await w.process(notDeleted, { archive: false });
    await w.store.copy(
      { bucket: buckets.ingest, key: notDeleted.key },
      { bucket: buckets.archive, key: archiveKey(notDeleted.location) },
    );
    const lost = w.upload('lost.jpg');
    await w.process(lost, { archive: false });
    await w.store.delete(buckets.ingest, lost.key);
    const mismatched = w.upload('mismatched.jpg');
    await w.process(mismatched);
    w.store.seed(buckets.archive, archiveKey(mismatched.location), Buffer.alloc(mismatched.body.length, 7));

    const report = await w.audit();
    const byAsset = Object.fromEntries(
      report.findings.filter((f) => f.severity === 'problem').map((f) => [f.assetId, f.kind]),
    );
    expect(byAsset).toEqual({
      [notArchived.assetId]: 'not-archived',
      [notDeleted.assetId]: 'original-not-deleted',
      [lost.assetId]: 'original-lost',
      [mismatched.assetId]: 'archive-mismatch',
    });
  });

  it('skips the checksum comparison with verifyArchive false', async () => {
    const w = new World();
    const u = w.upload();
    await w.process(u);
    w.store.seed(buckets.archive, archiveKey(u.location), Buffer.alloc(u.body.length, 7));
    expect((await w.audit({ verifyArchive: false })).problems).toBe(0);
  });

  it('reports identical archive versions as a duplicated output', async () => {
    const w = new World();
    const u = w.upload();
    await w.process(u);
    const key = archiveKey(u.location);
    const version = (id: string): ListedVersion => ({
      key,
      versionId: id,
      isLatest: id === '2',
      size: u.body.length,
      eTag: '"e1"',
    });
    const storage = w.storage();
    const versioned = Object.assign(storage, { versions: async () => [version('1'), version('2')] });
    const report = await w.audit({ storage: versioned });
    expect(kinds(report)).toEqual(['duplicate-archive-copy']);
    const single = Object.assign(w.storage(), { versions: async () => [version('1')] });
    expect((await w.audit({ storage: single })).problems).toBe(0);
  });

  it('reports what waits in a DLQ once per message, instead of also calling it stuck', async () => {
    const w = new World();
    const u = w.upload();
    w.deadLetters.push(
      {
        deadLetterQueue: 'processor-dlq',
        queue: 'processor-queue',
        service: 'processor',
        messageId: 'm-1',
        receiveCount: 3,
        kind: 's3-event',
        objects: [`${buckets.ingest}/${u.key}`],
        assetIds: [u.assetId],
      },
      {
        deadLetterQueue: 'processor-dlq',
        queue: 'processor-queue',
        service: 'processor',
        messageId: 'm-2',
        receiveCount: 3,
        kind: 'unparsed',
        objects: [],
        assetIds: [],
      },
    );
    const report = await w.audit();
    expect(kinds(report).sort()).toEqual(['dead-letter-unattributed', 'dead-lettered']);
    const finding = report.findings.find((f) => f.kind === 'dead-lettered');
    expect(finding?.hint).toBe(
      `redrive it once the cause is fixed: sluice-ops dlq redrive processor --asset ${u.assetId}`,
    );
    expect(report.assets.find((a) => a.assetId === u.assetId)?.state).toBe('dead-lettered');
  });

  it('checks that rejected originals are in quarantine and only there', async () => {
    const w = new World();
    const notMoved = w.upload('not-moved.jpg');
    await w.reject(notMoved, { move: false });
    const lost = w.upload('lost.jpg');
    await w.reject(lost, { move: false });
    await w.store.delete(buckets.ingest, lost.key);
    const stray = w.upload('stray.jpg');
    await w.store.copy(
      { bucket: buckets.ingest, key: stray.key },
      { bucket: buckets.ingest, key: quarantineKey(stray.location) },
    );
    await w.store.delete(buckets.ingest, stray.key);
    const withOutputs = w.upload('with-outputs.jpg');
    await w.reject(withOutputs);
    w.store.seed(buckets.processed, renditionKey(withOutputs.assetId, 'thumb', 'webp'), 'img');

    const report = await w.audit();
    const byAsset = Object.fromEntries(
      report.findings.filter((f) => f.severity === 'problem').map((f) => [f.assetId, f.kind]),
    );
    expect(byAsset).toEqual({
      [notMoved.assetId]: 'not-quarantined',
      [lost.assetId]: 'quarantine-lost',
      [stray.assetId]: 'quarantined-without-record',
      [withOutputs.assetId]: 'outputs-of-rejected',
    });
  });

  it('accepts a processed file beside a second file rejected as an asset-id conflict', async () => {
    const w = new World();
    const first = w.upload('first.jpg');
    await w.process(first);
    const second = { ...first, location: { ...first.location, fileName: 'second.jpg' } };
    second.key = uploadKey(second.location);
    w.store.seed(buckets.ingest, second.key, 'other bytes');
    await w.reject(second);
    const report = await w.audit();
    expect(report.findings).toEqual([]);
    expect(report.assets).toEqual([{ assetId: first.assetId, tenantId: TENANT, state: 'complete' }]);
  });

  it('reports uploads outside the key layout and documents that break their contract', async () => {
    const w = new World();
    w.store.seed(buckets.ingest, 'uploads/stray.jpg', 'x');
    w.store.seed(buckets.ingest, `uploads/Bad Tenant/${randomUUID()}/a.jpg`, 'x');
    const u = w.upload();
    await w.process(u);
    await w.store.putJson(buckets.processed, manifestKey(u.assetId), { assetId: u.assetId });
    const report = await w.audit();
    // The broken manifest is the one finding for its asset: its renditions, index document and
    // archived original are not called orphans on top.
    expect(kinds(report).sort()).toEqual(['invalid-document', 'unrecognized-upload', 'unrecognized-upload']);
    expect(report.assets.find((a) => a.assetId === u.assetId)?.state).toBe('broken');
  });
});
