import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3OriginalStore, S3OutputStore, SEQUENCER_METADATA } from '../src/adapters/s3-storage';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });

function failure(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

/** What the SDK's GetObject Body offers: chunks when iterated, or all bytes at once. */
function body(bytes: Buffer) {
  return {
    async *[Symbol.asyncIterator]() {
      yield bytes.subarray(0, 3);
      yield bytes.subarray(3);
    },
    transformToByteArray: async () => new Uint8Array(bytes),
  };
}

beforeEach(() => s3.reset());

describe('S3OriginalStore', () => {
  const store = new S3OriginalStore(client, 'ingest');

  it('pins every read to the checked ETag and answers null when the object changed', async () => {
    s3.on(GetObjectCommand, { IfMatch: '"new"' }).resolves({
      Body: body(Buffer.from('hello world')) as never,
    });
    s3.on(GetObjectCommand, { IfMatch: '"old"' }).rejects(failure('PreconditionFailed', 412));
    await expect(store.read('k', '"new"')).resolves.toEqual(Buffer.from('hello world'));
    await expect(store.read('k', '"old"')).resolves.toBeNull();
    await expect(store.sha256('k', '"new"')).resolves.toBe(
      'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    );
  });

  it('reads the start of an object with a range request', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from('abcd')) as never });
    await store.readStart('k', '"e"', 4);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Range: 'bytes=0-3',
      IfMatch: '"e"',
    });
  });

  it('quarantines with a conditional copy and a conditional delete', async () => {
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    await expect(store.quarantine('uploads/t/a/x y.jpg', '"e"', 'quarantine/t/a/x y.jpg')).resolves.toBe(
      'moved',
    );
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'quarantine/t/a/x y.jpg',
      CopySource: 'ingest/uploads/t/a/x%20y.jpg',
      CopySourceIfMatch: '"e"',
    });
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({ IfMatch: '"e"' });
  });

  it('leaves a newer upload alone: nothing copied when the source changed, nothing deleted after', async () => {
    s3.on(CopyObjectCommand).rejectsOnce(failure('PreconditionFailed', 412));
    await expect(store.quarantine('k', '"e"', 'q')).resolves.toBe('changed');
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);

    s3.reset();
    s3.on(CopyObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).rejects(failure('PreconditionFailed', 412));
    await expect(store.quarantine('k', '"e"', 'q')).resolves.toBe('moved');
  });
});

describe('S3OutputStore', () => {
  const store = new S3OutputStore(client, 'processed');
  const object = {
    key: 'renditions/a/thumb.webp',
    body: Buffer.from('x'),
    contentType: 'image/webp',
    sequencer: '0B',
  };

  it('creates a new object with If-None-Match, stamped with its source sequencer', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(store.putUnlessNewer(object)).resolves.toBe('written');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      IfNoneMatch: '*',
      Metadata: { [SEQUENCER_METADATA]: '0B' },
    });
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('replaces output of an older write with If-Match on the ETag it saw', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(failure('PreconditionFailed', 412));
    s3.on(PutObjectCommand, { IfMatch: '"older"' }).resolves({});
    s3.on(HeadObjectCommand).resolves({ ETag: '"older"', Metadata: { [SEQUENCER_METADATA]: '0A' } });
    await expect(store.putUnlessNewer(object)).resolves.toBe('written');
  });

  it('never replaces output of a newer write', async () => {
    s3.on(PutObjectCommand).rejects(failure('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"newer"', Metadata: { [SEQUENCER_METADATA]: '0C' } });
    await expect(store.putUnlessNewer(object)).resolves.toBe('superseded');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('retries when a concurrent writer wins the race, then re-checks who is newer', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(failure('PreconditionFailed', 412));
    s3.on(PutObjectCommand, { IfMatch: '"v1"' }).rejects(failure('ConditionalRequestConflict', 409));
    s3.on(HeadObjectCommand)
      .resolvesOnce({ ETag: '"v1"', Metadata: { [SEQUENCER_METADATA]: '0A' } })
      .resolves({ ETag: '"v2"', Metadata: { [SEQUENCER_METADATA]: '0C' } });
    await expect(store.putUnlessNewer(object)).resolves.toBe('superseded');
  });

  it('gives up (the record is retried) when contention never ends', async () => {
    s3.on(PutObjectCommand).rejects(failure('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ ETag: '"v"', Metadata: { [SEQUENCER_METADATA]: '0A' } });
    await expect(store.putUnlessNewer(object)).rejects.toThrow(/still contended/);
  });

  it('passes other errors through', async () => {
    s3.on(PutObjectCommand).rejects(failure('AccessDenied', 403));
    await expect(store.putUnlessNewer(object)).rejects.toThrow('AccessDenied');
  });

  it('deletes only output that no newer write made', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"v"', Metadata: { [SEQUENCER_METADATA]: '0C' } });
    await expect(store.deleteUnlessNewer('k', '0B')).resolves.toBe('kept');
    s3.on(HeadObjectCommand).resolves({ ETag: '"v"', Metadata: { [SEQUENCER_METADATA]: '0A' } });
    s3.on(DeleteObjectCommand).resolves({});
    await expect(store.deleteUnlessNewer('k', '0B')).resolves.toBe('deleted');
    expect(s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toMatchObject({ IfMatch: '"v"' });
  });

  it('reads the manifest with its ETag, and tolerates one that is not JSON', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from('{"a":1}')) as never, ETag: '"m"' });
    await expect(store.getManifest('manifests/a.json')).resolves.toEqual({ doc: { a: 1 }, eTag: '"m"' });
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from('{not json')) as never, ETag: '"m"' });
    await expect(store.getManifest('manifests/a.json')).resolves.toEqual({ doc: undefined, eTag: '"m"' });
    s3.on(GetObjectCommand).rejects(failure('NoSuchKey', 404));
    await expect(store.getManifest('manifests/a.json')).resolves.toBeNull();
  });
});
