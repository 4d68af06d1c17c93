import type { IndexDocument } from '@sluice/contracts';

let counter = 0;

/** A valid index document; ids are deterministic per call order. */
export function doc(overrides: Partial<IndexDocument> = {}): IndexDocument {
  counter++;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    assetId: id,
    tenantId: 'acme',
    fileName: `file-${counter}.jpg`,
    mime: 'image/jpeg',
    kind: 'image',
    width: 800,
    height: 600,
    tags: [],
    createdAt: `2026-01-01T00:00:${String(counter % 60).padStart(2, '0')}.000Z`,
    updatedAt: '2026-01-02T00:00:00.000Z',
    sourceSequencer: '0A',
    processedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A unit vector of dimension 8 pointing mostly along `axis`, tilted by `tilt` towards axis + 1. */
export function vec(axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(8);
  v[axis % 8] = 1;
  v[(axis + 1) % 8] = tilt;
  const n = Math.hypot(1, tilt);
  return v.map((x) => x / n);
}
