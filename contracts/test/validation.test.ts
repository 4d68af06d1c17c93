// validate / assertValid / ContractViolationError: the runtime API other workspaces call.
import {
  type AssetManifest,
  assertValid,
  ContractViolationError,
  type PipelineEvent,
  type UploadRequest,
  validate,
} from '../src';
import { formatErrors } from '../src/validation';
import { exampleFiles, readJson } from './examples';

describe('validate', () => {
  it('returns the document, typed, when it honours the contract', () => {
    const doc: unknown = { fileName: 'cat.jpg', contentType: 'image/jpeg', size: 1024 };
    const result = validate('upload-request/v1', doc);
    if (!result.ok) throw new Error(result.errors.join('; '));
    const request: UploadRequest = result.value;
    expect(request.size).toBe(1024);
  });

  it('returns every problem as one readable line', () => {
    const result = validate('upload-request/v1', {
      fileName: 'cat.jpg',
      contentType: 'image',
      size: '1',
      extra: true,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        '/extra is not allowed (unknown property)',
        '/contentType must match pattern "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"',
        '/size must be integer',
      ],
    });
  });

  it('names a missing property, and describes a wrong root', () => {
    expect(validate('api-error/v1', {})).toEqual({ ok: false, errors: ['/error is required'] });
    expect(validate('api-error/v1', 'oops')).toEqual({ ok: false, errors: ['/ must be object'] });
  });

  it('reports a nested, escaped pointer', () => {
    const result = validate('sns-envelope/v1', {
      ...(readJson(exampleFiles('sns-envelope/v1', 'valid')[0] as string) as object),
      MessageAttributes: { 'a/b': { Type: 'String' } },
    });
    expect(result).toEqual({ ok: false, errors: ['/MessageAttributes/a~1b/Value is required'] });
  });

  it('keeps no state between calls', () => {
    expect(validate('api-error/v1', {}).ok).toBe(false);
    expect(validate('api-error/v1', { error: { code: 'not-found', message: 'No such asset.' } })).toEqual({
      ok: true,
      value: { error: { code: 'not-found', message: 'No such asset.' } },
    });
  });
});

describe('assertValid', () => {
  it('returns the typed document', () => {
    const manifest: AssetManifest = assertValid(
      'asset-manifest/v1',
      readJson(exampleFiles('asset-manifest/v1', 'valid')[0] as string),
    );
    expect(manifest.assetId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('throws a ContractViolationError naming the schema and each problem', () => {
    let thrown: unknown;
    try {
      assertValid('upload-request/v1', { fileName: 'cat.jpg', contentType: 'image', size: 1.5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContractViolationError);
    expect(thrown).toBeInstanceOf(Error);
    const violation = thrown as ContractViolationError;
    expect(violation.name).toBe('ContractViolationError');
    expect(violation.schema).toBe('upload-request/v1');
    expect(violation.errors).toHaveLength(2);
    expect(violation.message).toBe(
      'upload-request/v1: /contentType must match pattern "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"; /size must be integer',
    );
  });
});

describe('formatErrors', () => {
  it('drops the if/then wrapper errors that only repeat their cause', () => {
    const lines = formatErrors([
      {
        keyword: 'required',
        instancePath: '/Records/0/s3/object',
        schemaPath: '#',
        params: { missingProperty: 'size' },
      },
      {
        keyword: 'if',
        instancePath: '/Records/0',
        schemaPath: '#/if',
        params: { failingKeyword: 'then' },
        message: 'must match "then" schema',
      },
    ]);
    expect(lines).toEqual(['/Records/0/s3/object/size is required']);
  });
});

describe('types', () => {
  it('narrow a pipeline event by its type', () => {
    const file = exampleFiles('pipeline-event/v1', 'valid').find((f) => f.endsWith('asset-processed.json'));
    const event = assertValid('pipeline-event/v1', readJson(file as string));
    const summary = (e: PipelineEvent): string => {
      switch (e.type) {
        case 'asset.processed':
          return `${e.detail.renditions} renditions in ${e.detail.manifestKey}`;
        case 'asset.indexed':
          return e.detail.documentKey;
        case 'asset.archived':
          return `${e.detail.storageClass} ${e.detail.key}`;
        case 'asset.rejected':
          return e.detail.reason;
      }
    };
    expect(summary(event)).toBe('3 renditions in manifests/3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10.json');
  });
});
