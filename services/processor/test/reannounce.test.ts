import { processUpload } from '../src/app/process-upload';
import { fixture, harness } from './support/harness';

// Found by the end-to-end fault tests: a publish lost after the work was done (a crash, an SNS
// error) was never made good when the archiver, or the quarantine move, had taken the original
// away before the redelivery: the redelivered event found no original and stopped there.
describe('processUpload when the original has moved on since the event', () => {
  it('announces asset.processed again, under the same id, and writes nothing', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('succeeded');
    const writes = [...h.storage.writes];
    h.storage.ingest.delete(h.key); // archived
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');
    expect(h.storage.writes).toEqual(writes);
    expect(h.events.events.map((e) => e.type)).toEqual(['asset.processed', 'asset.processed']);
    expect(new Set(h.events.events.map((e) => e.id)).size).toBe(1);
  });

  it('announces asset.rejected again, under the same id, with the recorded reason', async () => {
    const h = harness(fixture('broken/corrupt.png'), { fileName: 'c.png' });
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('rejected');
    await expect(processUpload(h.event(), h.deps)).resolves.toBe('skipped');
    const [first, again] = h.events.events;
    expect(again).toEqual(first);
    expect(again?.detail).toMatchObject({
      reason: 'undecodable-image',
      quarantineKey: expect.stringMatching(/^quarantine\//),
    });
  });

  it('stays silent for an older write of the key, or a key that was never processed', async () => {
    const h = harness(fixture('png/palette.png'), { fileName: 'a.png' });
    const older = h.event('0000000000000000A1');
    const newer = h.overwrite(fixture('gif/static.gif'), '0000000000000000B2');
    await processUpload(newer, h.deps);
    h.storage.ingest.delete(h.key);
    await expect(processUpload(older, h.deps)).resolves.toBe('skipped');
    expect(h.events.events).toHaveLength(1);

    const never = harness(fixture('png/palette.png'), { fileName: 'b.png' });
    never.storage.ingest.delete(never.key);
    await expect(processUpload(never.event(), never.deps)).resolves.toBe('skipped');
    expect(never.events.events).toEqual([]);
  });
});
