import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  HeadObjectCommand,
  InvalidObjectState,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  NoSuchUpload,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { S3AssetOriginals } from '../src/adapters/s3-asset-originals';
import { S3MultipartUploads } from '../src/adapters/s3-multipart-uploads';
import { receiptKey, S3WebhookInbox } from '../src/adapters/s3-webhook-inbox';
import { SqsDeadLetterRedriver } from '../src/adapters/sqs-dead-letter-redriver';
import { OriginalNotReadableError } from '../src/ports/asset-originals';
import { MultipartUploadError } from '../src/ports/multipart-uploads';
import { offlineS3 } from './support/deps';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
afterEach(() => {
  s3.reset();
  sqs.reset();
});
const client = () => new S3Client({ region: 'us-east-1' });
const KEY = 'uploads/acme/3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10/a.mp4';

describe('S3MultipartUploads', () => {
  it('knows an upload id only for its exact key, across pages of ListMultipartUploads', async () => {
    s3.on(ListMultipartUploadsCommand)
      .resolvesOnce({
        Uploads: [
          { Key: KEY, UploadId: 'other' },
          { Key: `${KEY}.bak`, UploadId: 'u1' },
        ],
        IsTruncated: true,
        NextKeyMarker: KEY,
        NextUploadIdMarker: 'other',
      })
      .resolvesOnce({ Uploads: [{ Key: KEY, UploadId: 'u1' }], IsTruncated: false });
    const uploads = new S3MultipartUploads(client());
    await expect(uploads.isOpen('b', KEY, 'u1')).resolves.toBe(true);
    const calls = s3.commandCalls(ListMultipartUploadsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Bucket: 'b', Prefix: KEY, KeyMarker: undefined, UploadIdMarker: undefined },
      { Bucket: 'b', Prefix: KEY, KeyMarker: KEY, UploadIdMarker: 'other' },
    ]);
    s3.reset();
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: `${KEY}.bak`, UploadId: 'u1' }] });
    await expect(uploads.isOpen('b', KEY, 'u1')).resolves.toBe(false);
  });

  it('lists every page of parts, in part number order', async () => {
    s3.on(ListPartsCommand)
      .resolvesOnce({
        Parts: [{ PartNumber: 2, ETag: '"b"', Size: 5 }],
        IsTruncated: true,
        NextPartNumberMarker: '2',
      })
      .resolvesOnce({ Parts: [{ PartNumber: 1, ETag: '"a"', Size: 7 }], IsTruncated: false });
    const parts = await new S3MultipartUploads(client()).listParts('b', KEY, 'u1');
    expect(parts).toEqual([
      { partNumber: 1, eTag: '"a"', size: 7 },
      { partNumber: 2, eTag: '"b"', size: 5 },
    ]);
    expect(s3.commandCalls(ListPartsCommand)[1]?.args[0].input.PartNumberMarker).toBe('2');
  });

  it('answers the object URL percent-encoded, whatever S3 wrote', async () => {
    s3.on(CompleteMultipartUploadCommand).resolves({
      Location: 'http://b.s3.amazonaws.com/uploads/acme/x/My Movie.mp4',
    });
    const done = await new S3MultipartUploads(client()).complete('b', KEY, 'u1', [
      { partNumber: 1, eTag: '"a"' },
    ]);
    expect(done.location).toBe('http://b.s3.amazonaws.com/uploads/acme/x/My%20Movie.mp4');
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload).toEqual({
      Parts: [{ PartNumber: 1, ETag: '"a"' }],
    });
  });

  it("translates S3's refusals into the port's failures", async () => {
    s3.on(AbortMultipartUploadCommand).rejects(new NoSuchUpload({ message: 'gone', $metadata: {} }));
    s3.on(CompleteMultipartUploadCommand).rejects(
      new S3ServiceException({ name: 'EntityTooSmall', $fault: 'client', message: 'small', $metadata: {} }),
    );
    const uploads = new S3MultipartUploads(client());
    await expect(uploads.abort('b', KEY, 'u1')).rejects.toEqual(
      expect.objectContaining({ failure: 'no-such-upload' }),
    );
    const error = await uploads
      .complete('b', KEY, 'u1', [{ partNumber: 1, eTag: 'x' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipartUploadError);
    expect(error).toMatchObject({ failure: 'part-too-small' });
  });

  it('presigns part URLs a browser can use: the part and upload pinned, no flexible checksum', async () => {
    const url = new URL(
      await new S3MultipartUploads(offlineS3).signPart({
        bucket: 'b',
        key: KEY,
        uploadId: 'u1',
        partNumber: 3,
        expiresInSeconds: 900,
      }),
    );
    expect(url.searchParams.get('partNumber')).toBe('3');
    expect(url.searchParams.get('uploadId')).toBe('u1');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
  });
});

describe('S3WebhookInbox', () => {
  const receipt = {
    deliveryId: 'a'.repeat(64),
    source: 'shop',
    tenantId: 'acme',
    assetId: '3f6c1a52-9b7e-4d0a-8c21-5e4f7d2b9a10',
    key: KEY,
    receivedAt: '2026-01-01T00:00:00.000Z',
  };

  it('claims a delivery with a conditional write outside uploads/', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(new S3WebhookInbox(client(), 'ingest').claim(receipt)).resolves.toBe(true);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'ingest',
      Key: `webhooks/acme/shop/${'a'.repeat(64)}.json`,
      IfNoneMatch: '*',
    });
    expect(receiptKey(receipt).startsWith('uploads/')).toBe(false);
  });

  it.each([412, 409])('reads %i as "claimed before"', async (status) => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        message: 'x',
        $metadata: { httpStatusCode: status },
      }),
    );
    await expect(new S3WebhookInbox(client(), 'ingest').claim(receipt)).resolves.toBe(false);
  });

  it('lets other failures through', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'x',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await expect(new S3WebhookInbox(client(), 'ingest').claim(receipt)).rejects.toThrow('x');
  });
});

describe('S3AssetOriginals', () => {
  const originals = () => new S3AssetOriginals(client(), { ingest: 'ingest', archive: 'archive' });

  it('finds the original under each place, uploads first', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'ingest', Prefix: 'uploads/acme/a1/' }).resolves({});
    s3.on(ListObjectsV2Command, { Bucket: 'ingest', Prefix: 'quarantine/acme/a1/' }).resolves({
      Contents: [{ Key: 'quarantine/acme/a1/x.jpg' }],
    });
    s3.on(ListObjectsV2Command, { Bucket: 'archive', Prefix: 'originals/acme/a1/' }).resolves({
      Contents: [{ Key: 'originals/acme/a1/x.jpg' }],
    });
    await expect(originals().locate('acme', 'a1')).resolves.toEqual([
      { place: 'quarantine', bucket: 'ingest', key: 'quarantine/acme/a1/x.jpg' },
      { place: 'archive', bucket: 'archive', key: 'originals/acme/a1/x.jpg' },
    ]);
  });

  it('copies an original still in uploads/ onto itself, keeping its type and metadata', async () => {
    s3.on(HeadObjectCommand).resolves({ ContentType: 'image/jpeg', Metadata: { 'original-name': 'x.jpg' } });
    s3.on(CopyObjectCommand).resolves({});
    await originals().retrigger({ place: 'uploads', bucket: 'ingest', key: KEY }, KEY);
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'ingest',
      Key: KEY,
      CopySource: `ingest/${KEY}`,
      MetadataDirective: 'REPLACE',
      ContentType: 'image/jpeg',
      Metadata: { 'original-name': 'x.jpg' },
    });
  });

  it('copies an archived original back into uploads/ in STANDARD, and says when it needs a restore', async () => {
    s3.on(CopyObjectCommand)
      .resolvesOnce({})
      .rejectsOnce(new InvalidObjectState({ message: 'archived', $metadata: {} }));
    const from = { place: 'archive' as const, bucket: 'archive', key: 'originals/acme/a1/x.jpg' };
    await originals().retrigger(from, 'uploads/acme/a1/x.jpg');
    expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'ingest',
      Key: 'uploads/acme/a1/x.jpg',
      CopySource: 'archive/originals/acme/a1/x.jpg',
      StorageClass: 'STANDARD',
    });
    await expect(originals().retrigger(from, 'uploads/acme/a1/x.jpg')).rejects.toBeInstanceOf(
      OriginalNotReadableError,
    );
  });
});

describe('SqsDeadLetterRedriver', () => {
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/p-queue';
  const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/p-dlq';

  function wire() {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE }).resolves({
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:p-dlq',
          maxReceiveCount: 3,
        }),
      },
    });
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'p-dlq', QueueOwnerAWSAccountId: '123456789012' })
      .resolves({ QueueUrl: DLQ });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  }
  const message = (i: number) => ({
    MessageId: `m${i}`,
    ReceiptHandle: `r${i}`,
    Body: `body ${i}`,
    MessageAttributes: { type: { DataType: 'String', StringValue: 't' } },
  });

  it('moves messages back with their bodies and attributes, deleting only what was sent', async () => {
    wire();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1), message(2)] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', SenderFault: false, Code: 'x' }],
    });
    sqs.on(DeleteMessageBatchCommand).resolves({});
    const outcome = await new SqsDeadLetterRedriver(new SQSClient({ region: 'us-east-1' })).redrive(
      QUEUE,
      100,
    );
    expect(outcome).toEqual({ deadLetterQueue: 'p-dlq', moved: 1, remaining: 0 });
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE,
      Entries: [
        { Id: '0', MessageBody: 'body 1', MessageAttributes: message(1).MessageAttributes },
        { Id: '1', MessageBody: 'body 2', MessageAttributes: message(2).MessageAttributes },
      ],
    });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input).toEqual({
      QueueUrl: DLQ,
      Entries: [{ Id: '0', ReceiptHandle: 'r1' }],
    });
  });

  it('stops at maxMessages', async () => {
    wire();
    let next = 0;
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({
      Messages: Array.from({ length: Math.min(3, input.MaxNumberOfMessages) }, () => message(++next)),
    }));
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
    }));
    sqs.on(DeleteMessageBatchCommand).resolves({});
    const outcome = await new SqsDeadLetterRedriver(new SQSClient({ region: 'us-east-1' })).redrive(QUEUE, 5);
    expect(outcome.moved).toBe(5);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([
      5, 2,
    ]);
  });

  it('refuses a queue without a dead-letter queue', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    await expect(
      new SqsDeadLetterRedriver(new SQSClient({ region: 'us-east-1' })).redrive(QUEUE, 1),
    ).rejects.toThrow(/no dead-letter queue/);
  });
});
