// @ts-check
'use strict';
// Backward compatibility of schema versions. A schema at an existing path (<name>/v<N>) may only change in
// ways that keep accepting every document an earlier committed version accepted, and that keep every
// property consumers were promised. Anything else needs a new version (<name>/v<N+1>).
//
// compareSchemas is a pure structural check; checkHistory applies it (and the old valid examples) to every
// committed version of every schema, reading history with git.
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
// Namespace requires: TypeScript (checking this file for the tests) rejects destructured ones under module: preserve.
const schemas = require('./lib/schemas.cjs');

const { CONTRACTS_DIR, createAjv, escapePointer, isObject, loadSchemas } = schemas;

/**
 * @typedef {import('./lib/schemas.cjs').JsonObject} JsonObject
 * @typedef {boolean | JsonObject} Schema
 * @typedef {object} Incompatibility
 * @property {string} pointer JSON pointer into the new schema
 * @property {string} rule    e.g. 'required-property-added'
 * @property {string} message
 */

// Keywords that never change which documents are valid.
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'discriminator', // ajv uses it only to pick the oneOf branch; the branches themselves are compared
]);

// Keywords compareNode understands; any other keyword that differs is reported as unverifiable.
const COMPARED = new Set([
  '$ref',
  '$defs',
  'type',
  'enum',
  'const',
  'required',
  'properties',
  'additionalProperties',
  'propertyNames',
  'items',
  'prefixItems',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'pattern',
  'oneOf',
  'anyOf',
  'allOf',
]);

/**
 * Everything that makes newSchema reject a document oldSchema accepted, or drop a promised property.
 * Conservative: a change it cannot prove safe (a rewritten pattern, an edited if/then) is reported.
 * Adding an optional property is allowed, even where unknown properties were tolerated: a document that
 * used that name before did so outside the contract.
 * @param {Schema} oldSchema
 * @param {Schema} newSchema
 * @returns {Incompatibility[]}
 */
function compareSchemas(oldSchema, newSchema) {
  return compareNode(
    { oldRoot: oldSchema, newRoot: newSchema, resolving: new Set() },
    oldSchema,
    newSchema,
    '',
  );
}

/**
 * @typedef {{ oldRoot: Schema, newRoot: Schema, resolving: Set<string> }} Context
 * @param {Context} ctx
 * @param {Schema} o old subschema
 * @param {Schema} n new subschema
 * @param {string} at pointer
 * @returns {Incompatibility[]}
 */
function compareNode(ctx, o, n, at) {
  /** @type {Incompatibility[]} */
  const out = [];
  /** @param {string} rule @param {string} message @param {string} [pointer] */
  const report = (rule, message, pointer = at) => out.push({ pointer: pointer || '/', rule, message });

  if (o === false || n === true) return out;
  if (n === false) {
    report('schema-narrowed', 'the schema became false: it rejects everything');
    return out;
  }
  if (o === true) {
    const assertions = Object.keys(n).filter((k) => !ANNOTATIONS.has(k) && k !== '$defs');
    if (assertions.length > 0)
      report('schema-narrowed', `anything was accepted; now ${assertions.join(', ')} apply`);
    return out;
  }

  // $ref: the same reference on both sides is compared once, where the target lives ($defs).
  // A changed reference is compared through what it points to.
  if (typeof o.$ref === 'string' || typeof n.$ref === 'string') {
    if (o.$ref === n.$ref) {
      const { $ref: _o, ...oRest } = o;
      const { $ref: _n, ...nRest } = n;
      return compareNode(ctx, oRest, nRest, at);
    }
    const key = `${o.$ref ?? at}|${n.$ref ?? at}`;
    if (ctx.resolving.has(key)) return out; // a recursive schema: this pair is already being compared
    const oResolved = resolveRef(ctx.oldRoot, o);
    const nResolved = resolveRef(ctx.newRoot, n);
    if (oResolved === undefined || nResolved === undefined) {
      report(
        'ref-unresolvable',
        `cannot resolve ${oResolved === undefined ? `old ${o.$ref}` : `new ${n.$ref}`}`,
      );
      return out;
    }
    ctx.resolving.add(key);
    out.push(...compareNode(ctx, oResolved, nResolved, at));
    ctx.resolving.delete(key);
    return out;
  }

  compareTypes(o, n, report);
  compareValues(o, n, report);
  compareLimits(o, n, report);

  if (typeof n.pattern === 'string' && n.pattern !== o.pattern) {
    report(
      'pattern-changed',
      o.pattern === undefined
        ? `pattern ${JSON.stringify(n.pattern)} added`
        : `pattern ${JSON.stringify(o.pattern)} became ${JSON.stringify(n.pattern)}; a changed pattern cannot be proven to accept every old value`,
    );
  }

  const oldRequired = new Set(asStrings(o.required));
  for (const name of asStrings(n.required)) {
    if (!oldRequired.has(name)) report('required-property-added', `property '${name}' became required`);
  }

  const oProps = isObject(o.properties) ? o.properties : {};
  const nProps = isObject(n.properties) ? n.properties : {};
  for (const [name, oProp] of Object.entries(oProps)) {
    const pointer = `${at}/properties/${escapePointer(name)}`;
    const nProp = nProps[name];
    if (nProp === undefined)
      report('property-removed', `property '${name}' was removed (or renamed)`, pointer);
    else out.push(...compareNode(ctx, asSchema(oProp), asSchema(nProp), pointer));
  }

  compareAdditionalProperties(ctx, o, n, at, report, out);
  compareOptionalSubschema(ctx, o, n, 'propertyNames', at, out);
  compareOptionalSubschema(ctx, o, n, 'items', at, out);

  const oPrefix = Array.isArray(o.prefixItems) ? o.prefixItems : [];
  const nPrefix = Array.isArray(n.prefixItems) ? n.prefixItems : [];
  nPrefix.forEach((nItem, i) => {
    const pointer = `${at}/prefixItems/${i}`;
    if (i < oPrefix.length) out.push(...compareNode(ctx, asSchema(oPrefix[i]), asSchema(nItem), pointer));
    else report('constraint-added', `prefixItems/${i} added`, pointer);
  });

  for (const keyword of ['oneOf', 'anyOf']) compareAlternatives(ctx, o, n, keyword, at, report, out);

  const oAll = Array.isArray(o.allOf) ? o.allOf : [];
  const nAll = Array.isArray(n.allOf) ? n.allOf : [];
  nAll.forEach((nPart, i) => {
    const pointer = `${at}/allOf/${i}`;
    if (i < oAll.length) out.push(...compareNode(ctx, asSchema(oAll[i]), asSchema(nPart), pointer));
    else report('constraint-added', `allOf/${i} added`, pointer);
  });

  const oDefs = isObject(o.$defs) ? o.$defs : {};
  const nDefs = isObject(n.$defs) ? n.$defs : {};
  for (const [name, nDef] of Object.entries(nDefs)) {
    const oDef = oDefs[name];
    if (oDef !== undefined) {
      out.push(...compareNode(ctx, asSchema(oDef), asSchema(nDef), `${at}/$defs/${escapePointer(name)}`));
    }
  }

  for (const keyword of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (ANNOTATIONS.has(keyword) || COMPARED.has(keyword)) continue;
    if (stableJson(o[keyword]) !== stableJson(n[keyword])) {
      report('unverifiable-change', `'${keyword}' changed; its effect cannot be proven backward compatible`);
    }
  }
  return out;
}

/** @typedef {(rule: string, message: string, pointer?: string) => void} Report */

/** @param {JsonObject} o @param {JsonObject} n @param {Report} report */
function compareTypes(o, n, report) {
  const nTypes = typesOf(n);
  if (nTypes === undefined) return;
  const oTypes = typesOf(o);
  if (oTypes === undefined) {
    const oValues = valuesOf(o);
    // An enum or const already fixed the values; only their types matter.
    const oldTypes = oValues ? oValues.map(jsonTypeOf) : undefined;
    const lost = oldTypes?.filter((t) => !typeAccepts(nTypes, t));
    if (!oldTypes) report('type-narrowed', `any type was accepted; now only ${nTypes.join(' | ')}`);
    else if (lost && lost.length > 0)
      report('type-narrowed', `${[...new Set(lost)].join(', ')} no longer accepted`);
    return;
  }
  const lost = oTypes.filter((t) => !typeAccepts(nTypes, t));
  if (lost.length > 0) {
    report(
      'type-narrowed',
      `type ${oTypes.join(' | ')} became ${nTypes.join(' | ')}: ${lost.join(', ')} no longer accepted`,
    );
  }
}

/** @param {JsonObject} o @param {JsonObject} n @param {Report} report */
function compareValues(o, n, report) {
  const nValues = valuesOf(n);
  if (nValues === undefined) return;
  const oValues = valuesOf(o);
  if (oValues === undefined) {
    report('values-restricted', `only ${nValues.map((v) => JSON.stringify(v)).join(', ')} accepted now`);
    return;
  }
  const allowed = new Set(nValues.map(stableJson));
  for (const value of oValues) {
    if (!allowed.has(stableJson(value)))
      report('value-removed', `value ${JSON.stringify(value)} is no longer accepted`);
  }
}

const LOWER_LIMITS = ['minLength', 'minItems', 'minProperties'];
const UPPER_LIMITS = ['maxLength', 'maxItems', 'maxProperties'];

/** @param {JsonObject} o @param {JsonObject} n @param {Report} report */
function compareLimits(o, n, report) {
  for (const keyword of LOWER_LIMITS) {
    const nv = n[keyword];
    const ov = typeof o[keyword] === 'number' ? o[keyword] : 0;
    if (typeof nv === 'number' && nv > ov)
      report('limit-tightened', `${keyword} ${describeLimit(o[keyword])} -> ${nv}`);
  }
  for (const keyword of UPPER_LIMITS) {
    const nv = n[keyword];
    const ov = typeof o[keyword] === 'number' ? o[keyword] : Number.POSITIVE_INFINITY;
    if (typeof nv === 'number' && nv < ov)
      report('limit-tightened', `${keyword} ${describeLimit(o[keyword])} -> ${nv}`);
  }
  const oLow = bound(o, 'minimum', 'exclusiveMinimum', 1);
  const nLow = bound(n, 'minimum', 'exclusiveMinimum', 1);
  if (
    nLow &&
    (!oLow || nLow.value > oLow.value || (nLow.value === oLow.value && nLow.exclusive && !oLow.exclusive))
  ) {
    report('limit-tightened', `lower bound ${describeBound(oLow, '>')} -> ${describeBound(nLow, '>')}`);
  }
  const oHigh = bound(o, 'maximum', 'exclusiveMaximum', -1);
  const nHigh = bound(n, 'maximum', 'exclusiveMaximum', -1);
  if (
    nHigh &&
    (!oHigh ||
      nHigh.value < oHigh.value ||
      (nHigh.value === oHigh.value && nHigh.exclusive && !oHigh.exclusive))
  ) {
    report('limit-tightened', `upper bound ${describeBound(oHigh, '<')} -> ${describeBound(nHigh, '<')}`);
  }
  if (typeof n.multipleOf === 'number' && n.multipleOf !== o.multipleOf) {
    const ratio = typeof o.multipleOf === 'number' ? o.multipleOf / n.multipleOf : Number.NaN;
    if (!Number.isInteger(ratio))
      report('limit-tightened', `multipleOf ${describeLimit(o.multipleOf)} -> ${n.multipleOf}`);
  }
  if (n.uniqueItems === true && o.uniqueItems !== true) report('limit-tightened', 'uniqueItems became true');
}

/**
 * The tighter of an inclusive and an exclusive bound (direction 1: lower bounds, -1: upper bounds).
 * @param {JsonObject} s @param {string} inclusive @param {string} exclusive @param {1 | -1} direction
 * @returns {{ value: number, exclusive: boolean } | undefined}
 */
function bound(s, inclusive, exclusive, direction) {
  const inc = typeof s[inclusive] === 'number' ? /** @type {number} */ (s[inclusive]) : undefined;
  const exc = typeof s[exclusive] === 'number' ? /** @type {number} */ (s[exclusive]) : undefined;
  if (inc === undefined) return exc === undefined ? undefined : { value: exc, exclusive: true };
  if (exc === undefined) return { value: inc, exclusive: false };
  return direction * (exc - inc) >= 0 ? { value: exc, exclusive: true } : { value: inc, exclusive: false };
}

/**
 * @param {Context} ctx @param {JsonObject} o @param {JsonObject} n @param {string} at
 * @param {Report} report @param {Incompatibility[]} out
 */
function compareAdditionalProperties(ctx, o, n, at, report, out) {
  const pointer = `${at}/additionalProperties`;
  const oAdd = o.additionalProperties === undefined ? true : asSchema(o.additionalProperties);
  const nAdd = n.additionalProperties === undefined ? true : asSchema(n.additionalProperties);
  if (nAdd === false && oAdd !== false) {
    report(
      'additional-properties-closed',
      'unknown properties were accepted; now they are rejected',
      pointer,
    );
  } else {
    out.push(...compareNode(ctx, oAdd, nAdd, pointer));
  }
}

/**
 * A keyword holding one subschema, where its absence accepts anything (items, propertyNames).
 * @param {Context} ctx @param {JsonObject} o @param {JsonObject} n @param {string} keyword @param {string} at
 * @param {Incompatibility[]} out
 */
function compareOptionalSubschema(ctx, o, n, keyword, at, out) {
  if (n[keyword] === undefined) return;
  out.push(
    ...compareNode(
      ctx,
      o[keyword] === undefined ? true : asSchema(o[keyword]),
      asSchema(n[keyword]),
      `${at}/${keyword}`,
    ),
  );
}

/**
 * Every old alternative must still be accepted by some new alternative. When none does, the details come
 * from its counterpart: the new alternative with the same tag (a property with a const, as in a
 * discriminated union), else the one at the same position; with neither, the alternative is just gone.
 * @param {Context} ctx @param {JsonObject} o @param {JsonObject} n @param {string} keyword @param {string} at
 * @param {Report} report @param {Incompatibility[]} out
 */
function compareAlternatives(ctx, o, n, keyword, at, report, out) {
  const nAlts = Array.isArray(n[keyword]) ? /** @type {unknown[]} */ (n[keyword]) : undefined;
  if (nAlts === undefined) return;
  const oAlts = Array.isArray(o[keyword]) ? /** @type {unknown[]} */ (o[keyword]) : undefined;
  if (oAlts === undefined) {
    report('constraint-added', `${keyword} added`, `${at}/${keyword}`);
    return;
  }
  const nTags = nAlts.map((alt) => tagsOf(ctx.newRoot, asSchema(alt)));
  oAlts.forEach((oAlt, i) => {
    const attempts = nAlts.map((nAlt, j) =>
      compareNode(ctx, asSchema(oAlt), asSchema(nAlt), `${at}/${keyword}/${j}`),
    );
    if (attempts.some((issues) => issues.length === 0)) return;
    const oTags = tagsOf(ctx.oldRoot, asSchema(oAlt));
    const tagged = oTags.size > 0 ? nTags.findIndex((tags) => [...oTags].some((tag) => tags.has(tag))) : -1;
    const counterpart = oTags.size > 0 ? tagged : i < nAlts.length ? i : -1;
    const described = oTags.size > 0 ? ` (${[...oTags].join(', ')})` : '';
    if (counterpart < 0) {
      report(
        'alternative-removed',
        `${keyword}/${i}${described} of the old schema has no counterpart any more`,
        `${at}/${keyword}`,
      );
      return;
    }
    report(
      'alternative-narrowed',
      `${keyword}/${i}${described} of the old schema matches no new alternative`,
      `${at}/${keyword}`,
    );
    out.push(...(attempts[counterpart] ?? []));
  });
}

/**
 * The tags of a union alternative: "property=const" for each property with a const, e.g. type="asset.indexed".
 * @param {Schema} root @param {Schema} alt
 * @returns {Set<string>}
 */
function tagsOf(root, alt) {
  const resolved = isObject(alt) ? resolveRef(root, alt) : alt;
  const props = isObject(resolved) && isObject(resolved.properties) ? resolved.properties : {};
  const tags = new Set();
  for (const [name, prop] of Object.entries(props)) {
    if (isObject(prop) && 'const' in prop) tags.add(`${name}=${JSON.stringify(prop.const)}`);
  }
  return tags;
}

/** @param {Schema} root @param {JsonObject} node @returns {Schema | undefined} */
function resolveRef(root, node) {
  if (typeof node.$ref !== 'string') return node;
  const { $ref, ...siblings } = node;
  if (!$ref.startsWith('#')) return undefined;
  /** @type {unknown} */
  let target = root;
  for (const token of $ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) || Array.isArray(target) ? /** @type {any} */ (target)[key] : undefined;
  }
  if (typeof target === 'boolean')
    return Object.keys(siblings).length > 0 ? { allOf: [target], ...siblings } : target;
  if (!isObject(target)) return undefined;
  // Siblings of $ref apply together with the target; merged keywords are compared like any others.
  return { ...target, ...siblings };
}

/** @param {unknown} value @returns {Schema} */
function asSchema(value) {
  return typeof value === 'boolean' || isObject(value) ? value : true;
}

/** @param {unknown} value @returns {string[]} */
function asStrings(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
}

/** @param {JsonObject} s @returns {string[] | undefined} */
function typesOf(s) {
  if (typeof s.type === 'string') return [s.type];
  return Array.isArray(s.type) ? asStrings(s.type) : undefined;
}

/** @param {JsonObject} s @returns {unknown[] | undefined} */
function valuesOf(s) {
  if ('const' in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}

/** @param {string[]} types @param {string} type */
function typeAccepts(types, type) {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/** @param {unknown} value */
function jsonTypeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** @param {unknown} limit */
function describeLimit(limit) {
  return typeof limit === 'number' ? String(limit) : '(none)';
}

/** @param {{ value: number, exclusive: boolean } | undefined} b @param {string} op */
function describeBound(b, op) {
  return b ? `${op}${b.exclusive ? '' : '='} ${b.value}` : '(none)';
}

/** JSON with sorted keys, so equal values compare equal. @param {unknown} value @returns {string} */
function stableJson(value) {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

// ---------------------------------------------------------------------------------------------------
// History: every committed version of each schema file, and the valid examples committed beside it.

/**
 * @typedef {object} HistoryViolation
 * @property {string} schema   e.g. 'asset-manifest/v1'
 * @property {string} file     the schema file, relative to contracts/
 * @property {string} [commit] the earlier version it breaks (absent when the new schema itself is unusable)
 * @property {string} pointer
 * @property {string} rule
 * @property {string} message
 *
 * @typedef {object} HistoryReport
 * @property {HistoryViolation[]} violations
 * @property {HistoryViolation[]} waived  violations a reviewed waiver in compat-waivers.json accepts
 * @property {string[]} warnings  why some or all history was not checked
 * @property {number} versionsChecked  earlier (schema file, commit) pairs compared
 *
 * @typedef {object} Waiver  a reviewed exception, with its reason, like a lint suppression
 * @property {string} schema   e.g. 'upload-response/v1'
 * @property {string} rule     the rule it accepts, e.g. 'pattern-changed'
 * @property {string} pointer  where, exactly as reported
 * @property {string} upTo     the last commit whose version it covers (that commit and its ancestors):
 *                             later versions are checked again in full
 * @property {string} reason
 */

const WAIVERS_FILE = 'compat-waivers.json';

/**
 * Checks the working-tree schemas under contractsDir against every earlier committed version of the same
 * files. Without git or without full history (a shallow clone), it warns and checks nothing.
 * @param {{ contractsDir?: string, git?: (args: string[]) => string }} [options]
 * @returns {HistoryReport}
 */
function checkHistory(options = {}) {
  const contractsDir = options.contractsDir ?? CONTRACTS_DIR;
  const git =
    options.git ??
    ((args) =>
      childProcess.execFileSync('git', args, {
        cwd: contractsDir,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'pipe'],
      }));
  /** @type {HistoryReport} */
  const report = { violations: [], waived: [], warnings: [], versionsChecked: 0 };

  let root;
  try {
    root = git(['rev-parse', '--show-toplevel']).trim();
  } catch {
    report.warnings.push('git (or a repository) is unavailable: schema history was not checked');
    return report;
  }
  if (git(['rev-parse', '--is-shallow-repository']).trim() === 'true') {
    report.warnings.push(
      'shallow clone: earlier schema versions are missing, history was not checked (git fetch --unshallow)',
    );
    return report;
  }

  // Paths below are relative to the repository root, wherever contractsDir is.
  /** @param {string[]} args */
  const gitAtRoot = (args) => git(['-C', root, ...args]);
  const blobCache = new Map();
  /** @param {string} blob */
  const show = (blob) => {
    if (!blobCache.has(blob)) blobCache.set(blob, gitAtRoot(['cat-file', '-p', blob]));
    return blobCache.get(blob);
  };

  for (const entry of loadSchemas(contractsDir)) {
    const schemaPath = toGitPath(path.relative(root, path.join(contractsDir, entry.relPath)));
    const examplesPath = toGitPath(
      path.relative(root, path.join(contractsDir, 'examples', entry.name, 'valid')),
    );
    const commits = gitAtRoot(['log', '--format=%H', '--', schemaPath, examplesPath])
      .split('\n')
      .filter(Boolean);
    if (commits.length === 0) continue;

    let validateNew;
    try {
      validateNew = createAjv().compile(entry.schema);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.violations.push({
        schema: entry.name,
        file: entry.relPath,
        pointer: '/',
        rule: 'schema-invalid',
        message,
      });
      continue;
    }
    const seenSchemas = new Set();
    const seenExamples = new Set();
    for (const commit of commits) {
      /** @param {Omit<HistoryViolation, 'schema' | 'file' | 'commit'>} v */
      const violate = (v) =>
        report.violations.push({ schema: entry.name, file: entry.relPath, commit, ...v });

      const tree = gitAtRoot(['ls-tree', '-r', '-z', commit, '--', schemaPath, examplesPath]);
      for (const line of tree.split('\0').filter(Boolean)) {
        const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
        const blob = match?.[1];
        const file = match?.[2];
        if (!blob || !file) continue;
        if (file === schemaPath) {
          if (seenSchemas.has(blob)) continue;
          seenSchemas.add(blob);
          report.versionsChecked += 1;
          for (const issue of compareSchemas(JSON.parse(show(blob)), entry.schema)) violate(issue);
        } else if (file.endsWith('.json') && !seenExamples.has(blob)) {
          seenExamples.add(blob);
          if (validateNew(JSON.parse(show(blob)))) continue;
          for (const error of validateNew.errors ?? []) {
            violate({
              pointer: error.instancePath || '/',
              rule: 'old-example-rejected',
              message: `${path.posix.basename(file)} (valid at ${commit.slice(0, 7)}) is rejected: ${describeAjvError(error)}`,
            });
          }
        }
      }
    }
  }
  applyWaivers(report, readWaivers(contractsDir), (commit, upTo) => {
    try {
      gitAtRoot(['merge-base', '--is-ancestor', commit, upTo]);
      return true;
    } catch {
      return false; // not an ancestor, or upTo unknown to this clone
    }
  });
  return report;
}

/**
 * @param {string} contractsDir
 * @returns {Waiver[]}
 */
function readWaivers(contractsDir) {
  const file = path.join(contractsDir, WAIVERS_FILE);
  if (!fs.existsSync(file)) return [];
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const waivers = isObject(doc) && Array.isArray(doc.waivers) ? doc.waivers : undefined;
  if (!waivers) throw new Error(`${WAIVERS_FILE}: expected { "waivers": [...] }`);
  return waivers.map((w, i) => {
    const fields = ['schema', 'rule', 'pointer', 'upTo', 'reason'];
    const missing = fields.filter((f) => !isObject(w) || typeof w[f] !== 'string' || w[f].length === 0);
    if (missing.length > 0) throw new Error(`${WAIVERS_FILE}: waivers[${i}] needs ${missing.join(', ')}`);
    return /** @type {Waiver} */ (w);
  });
}

/**
 * Moves the violations a waiver covers from report.violations to report.waived.
 * @param {HistoryReport} report
 * @param {Waiver[]} waivers
 * @param {(commit: string, upTo: string) => boolean} isAncestorOrSelf
 */
function applyWaivers(report, waivers, isAncestorOrSelf) {
  const covered = (/** @type {HistoryViolation} */ v) =>
    v.commit !== undefined &&
    waivers.some(
      (w) =>
        w.schema === v.schema &&
        w.rule === v.rule &&
        w.pointer === v.pointer &&
        isAncestorOrSelf(/** @type {string} */ (v.commit), w.upTo),
    );
  report.waived = report.violations.filter(covered);
  report.violations = report.violations.filter((v) => !covered(v));
}

/** @param {import('ajv').ErrorObject} error */
function describeAjvError(error) {
  // ajv names a missing property in its message, but not an unknown one.
  const unknown = /** @type {Record<string, unknown>} */ (error.params).additionalProperty;
  return unknown === undefined ? String(error.message) : `${error.message} ('${String(unknown)}')`;
}

/** @param {string} p */
function toGitPath(p) {
  return p.split(path.sep).join('/');
}

/**
 * The report as lines for a terminal, grouped by schema, ending with what to do.
 * @param {HistoryReport} report
 * @returns {string[]}
 */
function formatHistoryReport(report) {
  const lines = report.warnings.map((w) => `warning: ${w}`);
  if (report.waived.length > 0) {
    lines.push(
      `note: ${report.waived.length} incompatibilities accepted by reviewed waivers in ${WAIVERS_FILE}`,
    );
  }
  /** @type {Map<string, HistoryViolation[]>} */
  const bySchema = new Map();
  for (const v of report.violations) bySchema.set(v.schema, [...(bySchema.get(v.schema) ?? []), v]);
  for (const [schema, violations] of bySchema) {
    const first = /** @type {HistoryViolation} */ (violations[0]);
    const invalid = violations.filter((v) => v.rule === 'schema-invalid');
    if (invalid.length > 0) {
      lines.push(
        `${schema} (${first.file}) is not a valid schema: ${invalid.map((v) => v.message).join('; ')}`,
      );
      continue;
    }
    const [name, version] = schema.split('/v');
    const seen = new Set();
    lines.push(`${schema} (${first.file}) is not backward compatible with earlier committed versions:`);
    for (const v of violations) {
      const line = `  ${v.pointer}: ${v.rule}: ${v.message}`;
      if (seen.has(line)) continue;
      seen.add(line);
      lines.push(v.commit ? `${line} [vs ${v.commit.slice(0, 7)}]` : line);
    }
    lines.push(
      `  Breaking changes need a new version: restore ${first.file} and add schemas/${name}/v${Number(version) + 1}.schema.json (with its examples) instead.`,
    );
  }
  return lines;
}

module.exports = { compareSchemas, checkHistory, formatHistoryReport };
