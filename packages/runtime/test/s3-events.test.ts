import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeS3Key, MalformedMessageError, s3EventsFromSqsBody } from '../src/s3-events';

const EXAMPLES = resolve(__dirname, '../../../contracts/examples');
const example = (path: string) => readFileSync(resolve(EXAMPLES, path), 'utf8');

function snsEnvelope(message: unknown): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ingest-notifications',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-01-01T00:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

describe('s3EventsFromSqsBody', () => {
  it('unwraps an SNS envelope around AWS documentation example event', () => {
    const s3Event = JSON.parse(example('s3-event-notification/v1/valid/aws-docs-put.json'));
    const events = s3EventsFromSqsBody(snsEnvelope(s3Event));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      bucket: s3Event.Records[0].s3.bucket.name,
      key: decodeS3Key(s3Event.Records[0].s3.object.key),
      sequencer: s3Event.Records[0].s3.object.sequencer,
    });
  });

  it('accepts an S3 notification delivered to SQS directly', () => {
    const body = example('s3-event-notification/v1/valid/post-upload-unicode-key.json');
    expect(s3EventsFromSqsBody(body)).toHaveLength(JSON.parse(body).Records.length);
  });

  it('yields nothing for s3:TestEvent', () => {
    const testEvent = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-01-01T00:00:00.000Z',
      Bucket: 'sluice-ingest',
      RequestId: 'R',
      HostId: 'H',
    };
    expect(s3EventsFromSqsBody(snsEnvelope(testEvent))).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', 'not json', /SQS message body is not JSON/],
    ['an envelope with a non-JSON message', snsEnvelope('hello'), /SNS Message is not JSON/],
    [
      'an S3 event missing its records',
      snsEnvelope({ Records: [{ eventSource: 'aws:s3' }] }),
      /Invalid S3 event notification/,
    ],
    ['a broken envelope', JSON.stringify({ Type: 'Notification' }), /Invalid SNS envelope/],
  ])('refuses %s with a clear reason', (_what, body, reason) => {
    expect(() => s3EventsFromSqsBody(body)).toThrow(MalformedMessageError);
    expect(() => s3EventsFromSqsBody(body)).toThrow(reason);
  });

  it('decodes keys the way S3 encodes them', () => {
    expect(decodeS3Key('uploads/acme/a+b%2Bc/%C3%BC.jpg')).toBe('uploads/acme/a b+c/ü.jpg');
  });
});
