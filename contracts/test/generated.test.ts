// src/generated is committed: it must be exactly what the schemas generate today.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSchemas } from '../scripts/lib/schemas.cjs';
import { schemaIds } from '../src';
import { CONTRACTS_DIR, readJson } from './examples';

describe('generated code', () => {
  it('is up to date with the schemas (run `npm run generate -w @sluice/contracts` if not)', () => {
    // A child process, because json-schema-to-typescript formats with prettier, which imports its plugins
    // dynamically, which jest's CommonJS runtime cannot do. The script regenerates in memory and compares.
    const run = () =>
      execFileSync(process.execPath, ['scripts/generate.mjs', '--check'], {
        cwd: CONTRACTS_DIR,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(run).not.toThrow();
  });

  it('validators need nothing from ajv at runtime', () => {
    // No require() at all: bundles stay small, and nothing is compiled at cold start.
    const validators = readFileSync(join(CONTRACTS_DIR, 'src/generated/validators.js'), 'utf8');
    expect(validators).not.toMatch(/\brequire\(/);
  });

  it('covers every schema file', () => {
    expect(Object.keys(schemaIds)).toEqual(loadSchemas().map((entry) => entry.name));
  });
});

describe('schemas', () => {
  it('keep the index document exif exactly the asset manifest exif (never GPS, same fields)', () => {
    type Exif = Record<string, unknown>;
    const manifest = readJson(join(CONTRACTS_DIR, 'schemas/asset-manifest/v1.schema.json')) as {
      $defs: { exif: Exif };
    };
    const indexDocument = readJson(join(CONTRACTS_DIR, 'schemas/index-document/v1.schema.json')) as {
      properties: { exif: Exif };
    };
    const { title: _title, description: _m, ...manifestExif } = manifest.$defs.exif;
    const { description: _d, ...documentExif } = indexDocument.properties.exif;
    expect(documentExif).toEqual(manifestExif);
  });
});
