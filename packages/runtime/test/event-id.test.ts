import { assertValid } from '@sluice/contracts';
import { deterministicEventId } from '../src/event-id';

describe('deterministicEventId', () => {
  it('is the same for the same parts, different otherwise, and a valid pipeline event id', () => {
    const id = deterministicEventId('asset.archived', 'asset', 'key', 'sha');
    expect(deterministicEventId('asset.archived', 'asset', 'key', 'sha')).toBe(id);
    expect(deterministicEventId('asset.archived', 'asset', 'key', 'other')).not.toBe(id);
    expect(deterministicEventId('asset.archived', 'assetkey', 'sha')).not.toBe(
      deterministicEventId('asset.archived', 'asset', 'keysha'),
    );
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() =>
      assertValid('pipeline-event/v1', {
        specVersion: '1.0',
        id,
        type: 'asset.indexed',
        time: '2026-01-01T00:00:00.000Z',
        source: 'test',
        assetId: '0b6a7c1e-2f4d-4e8a-9c3b-5d6e7f8a9b0c',
        tenantId: 'acme',
        detail: { documentKey: 'index/acme/x.json' },
      }),
    ).not.toThrow();
  });
});
