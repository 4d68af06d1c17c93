// The backward compatibility check: synthetic old/new schema pairs, then history read from real git repos.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkHistory, compareSchemas, formatHistoryReport } from '../scripts/compat-core.cjs';

type Schema = Record<string, unknown>;

const base: Schema = {
  type: 'object',
  required: ['id', 'kind'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z]+$', maxLength: 32 },
    kind: { enum: ['a', 'b'] },
    count: { type: 'integer', minimum: 0, maximum: 100 },
    tags: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10 },
    ref: { $ref: '#/$defs/thing' },
    choice: { oneOf: [{ $ref: '#/$defs/left' }, { $ref: '#/$defs/right' }] },
  },
  $defs: {
    thing: { type: 'object', properties: { name: { type: 'string' } } },
    left: {
      type: 'object',
      required: ['side'],
      properties: { side: { const: 'left' }, l: { type: 'number' } },
    },
    right: {
      type: 'object',
      required: ['side'],
      properties: { side: { const: 'right' }, r: { type: 'number' } },
    },
  },
};

/** A deep copy of base with edit applied. */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach deep into ad-hoc schema literals
function changed(edit: (s: any) => void): Schema {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

describe('compareSchemas: compatible changes', () => {
  it.each<[string, Schema]>([
    ['no change', base],
    ['annotations only', changed((s) => Object.assign(s, { title: 'T', description: 'D', $comment: 'why' }))],
    ['an optional property added', changed((s) => Object.assign(s.properties, { note: { type: 'string' } }))],
    ['a required property made optional', changed((s) => s.required.pop())],
    ['an enum value added', changed((s) => s.properties.kind.enum.push('c'))],
    ['integer widened to number', changed((s) => (s.properties.count.type = 'number'))],
    ['a union type', changed((s) => (s.properties.id.type = ['string', 'null']))],
    ['limits loosened', changed((s) => Object.assign(s.properties.count, { minimum: -1, maximum: 1000 }))],
    ['a limit removed', changed((s) => delete s.properties.tags.maxItems)],
    ['a pattern removed', changed((s) => delete s.properties.id.pattern)],
    ['unknown properties allowed', changed((s) => delete s.additionalProperties)],
    ['a oneOf alternative added', changed((s) => s.properties.choice.oneOf.push({ type: 'string' }))],
    [
      'a $ref pointing to an identical renamed def',
      changed((s) => {
        s.$defs.renamed = s.$defs.thing;
        s.properties.ref.$ref = '#/$defs/renamed';
      }),
    ],
    ['an inlined $ref', changed((s) => (s.properties.ref = structuredClone(base.$defs as Schema).thing))],
    ['items constraint loosened', changed((s) => delete s.properties.tags.items.minLength)],
  ])('%s', (_name, next) => {
    expect(compareSchemas(base, next)).toEqual([]);
  });
});

describe('compareSchemas: incompatible changes', () => {
  it.each<[string, Schema, string, string]>([
    ['a required property added', changed((s) => s.required.push('count')), 'required-property-added', '/'],
    [
      'a property removed',
      changed((s) => delete s.properties.count),
      'property-removed',
      '/properties/count',
    ],
    [
      'a property renamed',
      changed((s) => {
        s.properties.total = s.properties.count;
        delete s.properties.count;
      }),
      'property-removed',
      '/properties/count',
    ],
    [
      'a type narrowed',
      changed((s) => (s.properties.count.type = 'string')),
      'type-narrowed',
      '/properties/count',
    ],
    [
      'number narrowed to integer',
      changed((s) => {
        s.properties.count.type = 'integer';
        s.$defs.left.properties.l.type = 'integer';
      }),
      'type-narrowed',
      '/$defs/left/properties/l',
    ],
    [
      'an enum value removed',
      changed((s) => s.properties.kind.enum.pop()),
      'value-removed',
      '/properties/kind',
    ],
    [
      'a const changed',
      changed((s) => (s.$defs.left.properties.side.const = 'port')),
      'value-removed',
      '/$defs/left/properties/side',
    ],
    [
      'values restricted',
      changed((s) => (s.properties.id.enum = ['abc'])),
      'values-restricted',
      '/properties/id',
    ],
    [
      'a maximum lowered',
      changed((s) => (s.properties.count.maximum = 50)),
      'limit-tightened',
      '/properties/count',
    ],
    [
      'an exclusive minimum at the old minimum',
      changed((s) => {
        delete s.properties.count.minimum;
        s.properties.count.exclusiveMinimum = 0;
      }),
      'limit-tightened',
      '/properties/count',
    ],
    [
      'a maxLength lowered',
      changed((s) => (s.properties.id.maxLength = 16)),
      'limit-tightened',
      '/properties/id',
    ],
    [
      'a minLength added in items',
      changed((s) => (s.properties.tags.items.minLength = 2)),
      'limit-tightened',
      '/properties/tags/items',
    ],
    [
      'uniqueItems added',
      changed((s) => (s.properties.tags.uniqueItems = true)),
      'limit-tightened',
      '/properties/tags',
    ],
    [
      'a pattern changed',
      changed((s) => (s.properties.id.pattern = '^[a-z0-9]+$')),
      'pattern-changed',
      '/properties/id',
    ],
    [
      'a pattern added',
      changed((s) => (s.$defs.thing.properties.name.pattern = '^x')),
      'pattern-changed',
      '/$defs/thing/properties/name',
    ],
    [
      'unknown properties rejected',
      changed((s) => (s.$defs.thing.additionalProperties = false)),
      'additional-properties-closed',
      '/$defs/thing/additionalProperties',
    ],
    [
      'a oneOf alternative removed',
      changed((s) => s.properties.choice.oneOf.pop()),
      'alternative-removed',
      '/properties/choice/oneOf',
    ],
    [
      'a oneOf alternative narrowed inline',
      changed((s) => {
        s.properties.choice.oneOf[0] = { ...s.$defs.left, required: ['side', 'l'] };
      }),
      'required-property-added',
      '/properties/choice/oneOf/0',
    ],
    [
      'a $ref retargeted to a narrower def',
      changed((s) => {
        s.$defs.strict = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
        s.properties.ref.$ref = '#/$defs/strict';
      }),
      'required-property-added',
      '/properties/ref',
    ],
    [
      'an if/else added',
      changed((s) => Object.assign(s, { if: { required: ['count'] }, else: { required: ['tags'] } })),
      'unverifiable-change',
      '/',
    ],
    [
      'a schema replaced by false',
      changed((s) => (s.properties.tags = false)),
      'schema-narrowed',
      '/properties/tags',
    ],
  ])('%s', (_name, next, rule, pointer) => {
    expect(compareSchemas(base, next)).toContainEqual(expect.objectContaining({ rule, pointer }));
  });

  it('names old and new values in its messages', () => {
    const [issue] = compareSchemas(
      base,
      changed((s) => (s.properties.count.maximum = 50)),
    );
    expect(issue?.message).toBe('upper bound <= 100 -> <= 50');
  });
});

describe('checkHistory', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
      cwd,
      encoding: 'utf8',
    });
  const widget = (extra: Schema = {}): Schema => ({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sluice.dev/schemas/widget/v1.schema.json',
    title: 'Widget',
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', maxLength: 20 } },
    ...extra,
  });
  let repo: string;
  let contractsDir: string;
  const write = (relPath: string, doc: unknown) => {
    const file = join(contractsDir, relPath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc));
  };

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'sluice-compat-'));
    contractsDir = join(repo, 'contracts');
    git(repo, 'init', '-q');
    write('schemas/widget/v1.schema.json', widget());
    write('examples/widget/v1/valid/long-name.json', { name: 'a name of 19 letters' });
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'widget v1');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('accepts a compatible change', () => {
    write(
      'schemas/widget/v1.schema.json',
      widget({ properties: { name: { type: 'string', maxLength: 40 }, size: { type: 'integer' } } }),
    );
    const report = checkHistory({ contractsDir });
    expect(report).toEqual({ violations: [], waived: [], warnings: [], versionsChecked: 1 });
  });

  it('rejects an incompatible change against every committed version, and says what to do', () => {
    write(
      'schemas/widget/v1.schema.json',
      widget({ properties: { name: { type: 'string', maxLength: 30 } } }),
    );
    git(repo, 'commit', '-q', '-am', 'widget v1: longer names');
    write(
      'schemas/widget/v1.schema.json',
      widget({ properties: { name: { type: 'string', maxLength: 10 } } }),
    );

    const report = checkHistory({ contractsDir });
    expect(report.versionsChecked).toBe(2);
    expect(report.violations).toContainEqual(
      expect.objectContaining({ schema: 'widget/v1', pointer: '/properties/name', rule: 'limit-tightened' }),
    );
    // The old valid example, read from git, no longer validates either.
    expect(report.violations).toContainEqual(
      expect.objectContaining({ rule: 'old-example-rejected', pointer: '/name' }),
    );
    const text = formatHistoryReport(report).join('\n');
    expect(text).toContain('widget/v1 (schemas/widget/v1.schema.json) is not backward compatible');
    expect(text).toContain('add schemas/widget/v2.schema.json');
  });

  it('accepts what a reviewed waiver covers, for the versions up to its commit only', () => {
    const upTo = git(repo, 'rev-parse', 'HEAD').trim();
    const waiver = {
      schema: 'widget/v1',
      rule: 'limit-tightened',
      pointer: '/properties/name',
      upTo,
      reason: 'unreleased draft',
    };
    write('compat-waivers.json', { waivers: [waiver] });
    write('examples/widget/v1/valid/long-name.json', { name: 'short' });
    write(
      'schemas/widget/v1.schema.json',
      widget({ properties: { name: { type: 'string', maxLength: 10 } } }),
    );

    const first = checkHistory({ contractsDir });
    expect(first.violations.filter((v) => v.rule !== 'old-example-rejected')).toEqual([]);
    expect(first.waived).toEqual([expect.objectContaining({ rule: 'limit-tightened', commit: upTo })]);

    // Once the tightened version is committed, tightening it again is not covered.
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'widget v1: shorter names (waived)');
    write(
      'schemas/widget/v1.schema.json',
      widget({ properties: { name: { type: 'string', maxLength: 5 } } }),
    );
    const second = checkHistory({ contractsDir });
    expect(second.violations).toContainEqual(
      expect.objectContaining({ rule: 'limit-tightened', message: 'maxLength 10 -> 5' }),
    );
  });

  it('refuses a waiver without a reason', () => {
    write('compat-waivers.json', {
      waivers: [{ schema: 'widget/v1', rule: 'limit-tightened', pointer: '/', upTo: 'HEAD' }],
    });
    expect(() => checkHistory({ contractsDir })).toThrow('waivers[0] needs reason');
  });

  it('reports a new version of a schema as its own file, with no history to break', () => {
    write('schemas/widget/v2.schema.json', {
      ...widget({ required: ['name', 'size'] }),
      $id: 'https://sluice.dev/schemas/widget/v2.schema.json',
    });
    expect(checkHistory({ contractsDir }).violations).toEqual([]);
  });

  it('warns and skips in a shallow clone', () => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'second');
    const clone = mkdtempSync(join(tmpdir(), 'sluice-compat-shallow-'));
    try {
      git(tmpdir(), 'clone', '-q', '--depth', '1', `file://${repo}`, clone);
      const report = checkHistory({ contractsDir: join(clone, 'contracts') });
      expect(report.violations).toEqual([]);
      expect(report.warnings).toEqual([expect.stringContaining('shallow clone')]);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('warns and skips without git', () => {
    const report = checkHistory({
      contractsDir,
      git: () => {
        throw new Error('spawn git ENOENT');
      },
    });
    expect(report).toEqual({
      violations: [],
      waived: [],
      warnings: [expect.stringContaining('git')],
      versionsChecked: 0,
    });
  });
});

describe('the schemas in this repository', () => {
  it('are backward compatible with every earlier committed version', () => {
    const report = checkHistory();
    expect(report.violations).toEqual([]);
    expect(formatHistoryReport(report).filter((line) => !/^(warning|note):/.test(line))).toEqual([]);
  });
});
