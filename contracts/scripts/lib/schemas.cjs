// @ts-check
'use strict';
// Shared by generation, the compatibility check and the tests: where schemas live, how they are named,
// and the one ajv configuration every validator is compiled with.
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;

const CONTRACTS_DIR = path.resolve(__dirname, '..', '..');
const SCHEMA_ID_BASE = 'https://sluice.dev/schemas/';
const SCHEMA_FILE = /^v([1-9]\d*)\.schema\.json$/;
const SCHEMA_DIR = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * @typedef {{ [key: string]: unknown }} JsonObject
 * @typedef {object} SchemaEntry
 * @property {string} name        schema name with version, e.g. 'asset-manifest/v1'
 * @property {string} baseName    e.g. 'asset-manifest'
 * @property {number} version     e.g. 1
 * @property {string} relPath     path relative to contracts/, e.g. 'schemas/asset-manifest/v1.schema.json'
 * @property {JsonObject} schema
 */

/**
 * Reads every schema under contracts/schemas, sorted by name, and checks the layout rules
 * (path, $id, title, draft) so a misplaced file fails loudly instead of being skipped.
 * @param {string} [contractsDir]
 * @returns {SchemaEntry[]}
 */
function loadSchemas(contractsDir = CONTRACTS_DIR) {
  const schemasDir = path.join(contractsDir, 'schemas');
  /** @type {SchemaEntry[]} */
  const entries = [];
  for (const baseName of fs.readdirSync(schemasDir).sort()) {
    if (!SCHEMA_DIR.test(baseName)) throw new Error(`schemas/${baseName}: folder names are kebab-case`);
    for (const file of fs.readdirSync(path.join(schemasDir, baseName)).sort()) {
      const match = SCHEMA_FILE.exec(file);
      if (!match) throw new Error(`schemas/${baseName}/${file}: expected v<N>.schema.json`);
      const relPath = `schemas/${baseName}/${file}`;
      const schema = JSON.parse(fs.readFileSync(path.join(contractsDir, relPath), 'utf8'));
      const version = Number(match[1]);
      const name = `${baseName}/v${version}`;
      assertSchemaHeader(name, relPath, schema);
      entries.push({ name, baseName, version, relPath, schema });
    }
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * @param {string} name
 * @param {string} relPath
 * @param {JsonObject} schema
 */
function assertSchemaHeader(name, relPath, schema) {
  if (schema.$schema !== 'https://json-schema.org/draft/2020-12/schema') {
    throw new Error(`${relPath}: $schema must be https://json-schema.org/draft/2020-12/schema`);
  }
  if (schema.$id !== schemaIdOf(name)) throw new Error(`${relPath}: $id must be ${schemaIdOf(name)}`);
  if (typeof schema.title !== 'string' || schema.title.length === 0) {
    throw new Error(`${relPath}: a title is required (it names the generated type)`);
  }
  forEachSubschema(schema, (subschema, pointer) => {
    // ajv-formats makes standalone code require() at runtime; a pattern says the same thing.
    if ('format' in subschema) throw new Error(`${relPath}#${pointer}: use "pattern" instead of "format"`);
  });
}

const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_KEYWORDS = [
  'items',
  'additionalProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
];

/**
 * Calls visit for the schema and each of its subschemas (boolean schemas excluded), with JSON pointers.
 * @param {JsonObject} schema
 * @param {(subschema: JsonObject, pointer: string) => void} visit
 * @param {string} [pointer]
 */
function forEachSubschema(schema, visit, pointer = '') {
  visit(schema, pointer);
  /** @param {unknown} child @param {string} childPointer */
  const descend = (child, childPointer) => {
    if (isObject(child)) forEachSubschema(child, visit, childPointer);
  };
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const map = schema[keyword];
    if (!isObject(map)) continue;
    for (const [key, child] of Object.entries(map))
      descend(child, `${pointer}/${keyword}/${escapePointer(key)}`);
  }
  for (const keyword of SCHEMA_LIST_KEYWORDS) {
    const list = schema[keyword];
    if (!Array.isArray(list)) continue;
    list.forEach((child, i) => {
      descend(child, `${pointer}/${keyword}/${i}`);
    });
  }
  for (const keyword of SCHEMA_KEYWORDS) descend(schema[keyword], `${pointer}/${keyword}`);
}

/** @param {unknown} value @returns {value is JsonObject} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string} token */
function escapePointer(token) {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** @param {string} name e.g. 'asset-manifest/v1' */
function schemaIdOf(name) {
  return `${SCHEMA_ID_BASE}${name}.schema.json`;
}

/**
 * The export name of a schema's precompiled validator: 'asset-manifest/v1' -> 'assetManifestV1'.
 * @param {string} name
 */
function exportNameOf(name) {
  return name.replace(/[-/]([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * One ajv configuration for generation, tests and the compatibility check, so a document means the same
 * thing everywhere. unicode: false counts string lengths in UTF-16 units (never fewer than code points),
 * which keeps the standalone code free of require('ajv/dist/runtime/ucs2length').
 */
function createAjv() {
  return new Ajv2020({
    strict: true,
    allErrors: true,
    discriminator: true,
    unicode: false,
    code: { source: true, lines: true },
    logger: {
      log: console.log,
      // unicode is deprecated but still honoured by ajv 8; the notice would only add noise.
      warn: (/** @type {unknown[]} */ ...args) => {
        if (!String(args[0]).startsWith('DEPRECATED: option unicode')) console.warn(...args);
      },
      error: console.error,
    },
  });
}

module.exports = {
  CONTRACTS_DIR,
  loadSchemas,
  schemaIdOf,
  exportNameOf,
  createAjv,
  forEachSubschema,
  isObject,
  escapePointer,
};
