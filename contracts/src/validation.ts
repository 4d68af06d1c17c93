import type { ErrorObject } from 'ajv';
import { type SchemaName, type SchemaTypes, validators } from './generated/registry';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A document broke its contract; errors holds one readable line per problem. */
export class ContractViolationError extends Error {
  readonly schema: SchemaName;
  readonly errors: string[];

  constructor(schema: SchemaName, errors: string[]) {
    super(`${schema}: ${errors.join('; ')}`);
    this.name = 'ContractViolationError';
    this.schema = schema;
    this.errors = errors;
  }
}

/** Checks doc against a contract with its precompiled validator (nothing is compiled at runtime). */
export function validate<N extends SchemaName>(name: N, doc: unknown): ValidationResult<SchemaTypes[N]> {
  // The mapped type does not narrow through a generic index; every entry is the validator of its own name.
  const check = validators[name] as (typeof validators)[SchemaName];
  if (check(doc)) return { ok: true, value: doc as SchemaTypes[N] };
  return { ok: false, errors: formatErrors(check.errors ?? []) };
}

/** Returns doc typed when it honours the contract; throws ContractViolationError otherwise. */
export function assertValid<N extends SchemaName>(name: N, doc: unknown): SchemaTypes[N] {
  const result = validate(name, doc);
  if (!result.ok) throw new ContractViolationError(name, result.errors);
  return result.value;
}

// Wrappers whose failure is always explained by the errors of their subschemas.
const NOISE_KEYWORDS = new Set(['if', 'then', 'else', 'propertyNames']);

/**
 * One line per ajv error: the JSON pointer of the offending value, then what is wrong with it. Missing and
 * unknown properties are named in the pointer itself ("/size is required", "/colour is not allowed").
 */
export function formatErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.filter((e) => !NOISE_KEYWORDS.has(e.keyword)).map(formatError);
  return [...new Set(lines)];
}

function formatError(error: ErrorObject): string {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return `${at || '/'} has an invalid property name '${error.propertyName}': it ${error.message ?? `fails ${error.keyword}`}`;
  }
  switch (error.keyword) {
    case 'required':
      return `${at}/${escapePointer(String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `${at}/${escapePointer(String(params.additionalProperty))} is not allowed (unknown property)`;
    case 'enum':
      return `${at || '/'} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at || '/'} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${at || '/'} ${error.message ?? `fails ${error.keyword}`}`;
  }
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
