// The contract tests: every valid example is accepted, every invalid one rejected for the stated reason.
import { basename } from 'node:path';
import { assertValid, ContractViolationError, type SchemaName, schemaIds, validate } from '../src';
import { exampleFiles, readInvalidExample, readJson } from './examples';

const schemaNames = Object.keys(schemaIds) as SchemaName[];

describe.each(schemaNames)('%s', (schema) => {
  const valid = exampleFiles(schema, 'valid');
  const invalid = exampleFiles(schema, 'invalid');

  it('ships at least 2 valid and 3 invalid examples', () => {
    expect(valid.length).toBeGreaterThanOrEqual(2);
    expect(invalid.length).toBeGreaterThanOrEqual(3);
  });

  it.each(valid.map((file) => [basename(file), file]))('accepts valid/%s', (_name, file) => {
    const doc = readJson(file);
    expect(validate(schema, doc)).toEqual({ ok: true, value: doc });
  });

  it.each(invalid.map((file) => [basename(file), file]))('rejects invalid/%s', (_name, file) => {
    const example = readInvalidExample(file);
    const result = validate(schema, example.document);
    if (result.ok) throw new Error(`${file} was accepted: ${example.description}`);
    expect(result.errors.join('; ')).toContain(example.expectedError);
    expect(() => assertValid(schema, example.document)).toThrow(ContractViolationError);
  });
});
