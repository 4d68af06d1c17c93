import { validate } from '@sluice/contracts';
import {
  decodeS3EventKey,
  encodeS3EventKey,
  eventTimeMicros,
  S3EventNormalizer,
} from '../src/s3-event-normalizer';
import fixture from './fixtures/moto-s3-events.json';

type S3Record = {
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; sequencer: string };
  };
};

const s3Records = (messageJson: string): S3Record[] => JSON.parse(messageJson).Records;
const envelopedRecords = (body: string): S3Record[] => s3Records(JSON.parse(body).Message);
const isTestEvent = (body: string) => JSON.parse(JSON.parse(body).Message).Event === 's3:TestEvent';

describe('S3 event keys', () => {
  it.each([
    ['uploads/asset-1/photo.jpg', 'uploads/asset-1/photo.jpg'],
    ['uploads/a/my holiday photo.jpg', 'uploads/a/my+holiday+photo.jpg'],
    ['uploads/a/a+b=c&d;e:f,g@h$i.txt', 'uploads/a/a%2Bb%3Dc%26d%3Be%3Af%2Cg%40h%24i.txt'],
    ['uploads/a/100% done.txt', 'uploads/a/100%25+done.txt'],
    ['uploads/a/café 日本.png', 'uploads/a/caf%C3%A9+%E6%97%A5%E6%9C%AC.png'],
  ])('encodes %j as AWS does', (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
    expect(decodeS3EventKey(encoded)).toBe(key);
  });

  it('reads moto microsecond times without a zone as UTC', () => {
    expect(eventTimeMicros('2026-12-04T20:15:39.383520')).toBe(
      Date.UTC(2026, 11, 4, 20, 15, 39) * 1000 + 383520,
    );
    expect(eventTimeMicros('2026-12-04T20:15:39.383Z')).toBe(
      Date.UTC(2026, 11, 4, 20, 15, 39) * 1000 + 383000,
    );
    expect(eventTimeMicros('not a time')).toBeUndefined();
  });
});

describe('S3EventNormalizer on events captured from moto', () => {
  const objectEvents = fixture.enveloped.filter((body) => !isTestEvent(body));

  it('has captured what moto gets wrong', () => {
    const raw = envelopedRecords(objectEvents[0] ?? '')[0];
    expect(raw?.s3.object.key).toContain('%2F');
    expect(raw?.eventTime).not.toMatch(/Z$/);
    expect(raw?.s3.object.sequencer).toBeUndefined();
    expect(raw?.userIdentity).toBeUndefined();
  });

  it('turns every SNS-enveloped S3 event into AWS shape', () => {
    const normalizer = new S3EventNormalizer();
    const expectedKeys = fixture.uploads.map((upload) => upload.key);
    for (const body of objectEvents) {
      const envelope = JSON.parse(normalizer.normalizeSqsBody(body));
      expect(envelope).toMatchObject({ Type: 'Notification', Subject: 'Amazon S3 Notification' });
      for (const record of s3Records(envelope.Message)) {
        expect(record.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(record.s3.object.key).not.toContain('%2F');
        expect(record.s3.object.key).not.toContain(' ');
        expect(expectedKeys).toContain(decodeS3EventKey(record.s3.object.key));
        expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
        expect(record.userIdentity.principalId).toEqual(expect.any(String));
        expect(record.requestParameters).toEqual({ sourceIPAddress: '127.0.0.1' });
        expect(record.responseElements['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
        expect(record.responseElements['x-amz-id-2']).toEqual(expect.any(String));
        expect(record.s3.bucket.ownerIdentity.principalId).toEqual(expect.any(String));
        expect(record.s3.bucket.arn).toBe(`arn:aws:s3:::${record.s3.bucket.name}`);
      }
    }
  });

  it("passes the contracts' strict AWS schemas, which moto's raw events fail", () => {
    const normalizer = new S3EventNormalizer();
    for (const body of objectEvents) {
      const rawEnvelope = JSON.parse(body);
      expect(validate('s3-event-notification/v1', JSON.parse(rawEnvelope.Message)).ok).toBe(false);

      const envelope = JSON.parse(normalizer.normalizeSqsBody(body));
      expect(validate('sns-envelope/v1', envelope)).toMatchObject({ ok: true });
      expect(validate('s3-event-notification/v1', JSON.parse(envelope.Message))).toMatchObject({ ok: true });
    }
    for (const body of fixture.raw.filter((b) => !b.includes('TestEvent'))) {
      expect(
        validate('s3-event-notification/v1', JSON.parse(normalizer.normalizeSqsBody(body))),
      ).toMatchObject({
        ok: true,
      });
    }
    for (const body of fixture.enveloped.filter(isTestEvent)) {
      expect(validate('s3-test-event/v1', JSON.parse(JSON.parse(body).Message)).ok).toBe(false);
      const envelope = JSON.parse(normalizer.normalizeSqsBody(body));
      expect(validate('sns-envelope/v1', envelope)).toMatchObject({ ok: true });
      expect(validate('s3-test-event/v1', JSON.parse(envelope.Message))).toMatchObject({ ok: true });
    }
  });

  it("matches the contracts' description of moto's raw events", () => {
    for (const body of objectEvents) {
      expect(validate('s3-event-notification-moto/v1', JSON.parse(JSON.parse(body).Message))).toMatchObject({
        ok: true,
      });
    }
  });

  it('keeps the record fields in AWS order', () => {
    const record = envelopedRecords(new S3EventNormalizer().normalizeSqsBody(objectEvents[0] ?? ''))[0];
    expect(Object.keys(record ?? {})).toEqual([
      'eventVersion',
      'eventSource',
      'awsRegion',
      'eventTime',
      'eventName',
      'userIdentity',
      'requestParameters',
      'responseElements',
      's3',
    ]);
    expect(Object.keys(record?.s3.object ?? {})).toEqual(['key', 'size', 'eTag', 'sequencer']);
  });

  it('re-encodes keys with spaces, unicode, plus signs and nested folders as AWS does', () => {
    const normalizer = new S3EventNormalizer();
    const keys = objectEvents.flatMap((body) =>
      envelopedRecords(normalizer.normalizeSqsBody(body)).map((record) => record.s3.object.key),
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        'uploads/asset-2/my+holiday+photo.jpg',
        'uploads/asset-3/caf%C3%A9+%C3%B1and%C3%BA+%E6%97%A5%E6%9C%AC%E8%AA%9E.png',
        'uploads/asset-4/a%2Bb%3Dc%26d%3Be%3Af%2Cg%40h%24i.txt',
        'uploads/asset-6/100%25+done.txt',
        'uploads/asset-7/deep/nested/folder/file.txt',
      ]),
    );
  });

  it('gives later writes of the same key greater sequencers, whatever the delivery order', () => {
    const sameKey = objectEvents.filter((body) =>
      envelopedRecords(body)[0]?.s3.object.key.includes('asset-8'),
    );
    expect(sameKey).toHaveLength(2);
    const [first, second] = sameKey as [string, string];
    const inOrder = new S3EventNormalizer();
    const a = envelopedRecords(inOrder.normalizeSqsBody(first))[0]?.s3.object.sequencer ?? '';
    const b = envelopedRecords(inOrder.normalizeSqsBody(second))[0]?.s3.object.sequencer ?? '';
    expect(b > a).toBe(true);

    const reversed = new S3EventNormalizer();
    const b2 = envelopedRecords(reversed.normalizeSqsBody(second))[0]?.s3.object.sequencer ?? '';
    const a2 = envelopedRecords(reversed.normalizeSqsBody(first))[0]?.s3.object.sequencer ?? '';
    expect(b2 > a2).toBe(true);
  });

  it('gives a redelivered event the sequencer it had', () => {
    const normalizer = new S3EventNormalizer();
    const body = objectEvents[0] ?? '';
    expect(normalizer.normalizeSqsBody(body)).toBe(normalizer.normalizeSqsBody(body));
  });

  it('leaves an already normalized body as it is', () => {
    const normalizer = new S3EventNormalizer();
    const once = normalizer.normalizeSqsBody(objectEvents[3] ?? '');
    expect(normalizer.normalizeSqsBody(once)).toBe(once);
  });

  it('normalizes raw-delivery (unenveloped) S3 events too', () => {
    const normalizer = new S3EventNormalizer();
    const raw = fixture.raw.find((body) => body.includes('asset-7')) ?? '';
    const record = s3Records(normalizer.normalizeSqsBody(raw))[0];
    expect(record?.s3.object.key).toBe('uploads/asset-7/deep/nested/folder/file.txt');
    expect(record?.eventTime).toMatch(/Z$/);
  });

  it('fills in what moto leaves out of s3:TestEvent, and nothing more', () => {
    const normalizer = new S3EventNormalizer();
    const raw = fixture.raw.find((b) => b.includes('TestEvent')) ?? '';
    const original = JSON.parse(raw);
    const normalized = JSON.parse(normalizer.normalizeSqsBody(raw));
    expect(normalized).toEqual({
      ...original,
      Time: expect.stringMatching(/Z$/),
      RequestId: expect.stringMatching(/^[0-9A-F]{16}$/),
      HostId: expect.any(String),
    });
    expect(Date.parse(normalized.Time)).toBe(Math.floor(Date.parse(`${original.Time}Z`)));
  });

  it('passes non-S3 messages through untouched', () => {
    const normalizer = new S3EventNormalizer();

    const pipelineEvent = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ type: 'asset.processed' }),
    });
    for (const body of [
      'plain text',
      '{"hello":"world"}',
      pipelineEvent,
      '{"Records":[{"eventSource":"aws:sqs"}]}',
    ]) {
      expect(normalizer.normalizeSqsBody(body)).toBe(body);
    }
  });
});
