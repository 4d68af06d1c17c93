// asset-status/v1's `original` repeats original-status/v1 (schemas are self-contained): keep them equal.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate } from '../src';
import { exampleFiles, readJson } from './examples';

const schema = (name: string) =>
  JSON.parse(readFileSync(resolve(__dirname, `../schemas/${name}/v1.schema.json`), 'utf8'));

/** The shape without the words: titles and descriptions may differ. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'title' && k !== 'description')
      .map(([k, v]) => [k, shape(v)]),
  );
}

describe("asset-status/v1's original", () => {
  it('has the shape of original-status/v1', () => {
    const original = schema('original-status');
    const status = schema('asset-status');
    const def = status.$defs.assetOriginal;
    expect(shape({ type: def.type, required: def.required, properties: def.properties })).toEqual(
      shape({ type: original.type, required: original.required, properties: original.properties }),
    );
    expect(status.$defs.isoUtcTimestamp).toEqual(original.$defs.isoUtcTimestamp);
  });

  it.each(exampleFiles('original-status/v1', 'valid'))('accepts %s as an original', (file) => {
    const doc = readJson(exampleFiles('asset-status/v1', 'valid')[0] as string) as Record<string, unknown>;
    expect(validate('asset-status/v1', { ...doc, original: readJson(file) }).ok).toBe(true);
  });
});
