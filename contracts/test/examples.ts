// Reads the example documents under contracts/examples for the tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaName } from '../src';

export const CONTRACTS_DIR = join(__dirname, '..');
const EXAMPLES_DIR = join(CONTRACTS_DIR, 'examples');

export interface InvalidExample {
  description: string;
  expectedError: string;
  document: unknown;
}

export function exampleFiles(schema: SchemaName, kind: 'valid' | 'invalid'): string[] {
  const dir = join(EXAMPLES_DIR, schema, kind);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => join(dir, file));
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function readInvalidExample(file: string): InvalidExample {
  const example = readJson(file) as Partial<InvalidExample>;
  if (
    typeof example.description !== 'string' ||
    typeof example.expectedError !== 'string' ||
    !('document' in example)
  ) {
    throw new Error(`${file}: an invalid example is { description, expectedError, document }`);
  }
  return example as InvalidExample;
}
