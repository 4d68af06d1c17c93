import { validate } from '@sluice/contracts';

/** One object-level S3 event, with the key already decoded. */
export interface S3ObjectEvent {
  eventName: string;
  eventTime: string;
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer: string;
}

/** A message that no retry can fix: it fails its record, which ends in the DLQ. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/** S3 event keys are URL-encoded with '+' for spaces. */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedMessageError(`${what} is not JSON`);
  }
}

function isS3TestEvent(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && (doc as { Event?: unknown }).Event === 's3:TestEvent';
}

/**
 * The S3 object events in an SQS message body: an SNS envelope around an S3 event notification
 * (or an S3 notification sent to SQS directly). `s3:TestEvent` yields no events.
 */
export function s3EventsFromSqsBody(body: string): S3ObjectEvent[] {
  let doc = parseJson(body, 'SQS message body');
  if ((doc as { Type?: unknown }).Type === 'Notification') {
    const envelope = validate('sns-envelope/v1', doc);
    if (!envelope.ok) throw new MalformedMessageError(`Invalid SNS envelope: ${envelope.errors.join('; ')}`);
    doc = parseJson(envelope.value.Message, 'SNS Message');
  }
  if (isS3TestEvent(doc)) return [];
  const notification = validate('s3-event-notification/v1', doc);
  if (!notification.ok) {
    throw new MalformedMessageError(`Invalid S3 event notification: ${notification.errors.join('; ')}`);
  }
  return notification.value.Records.map((record) => ({
    eventName: record.eventName,
    eventTime: record.eventTime,
    bucket: record.s3.bucket.name,
    key: decodeS3Key(record.s3.object.key),
    size: record.s3.object.size,
    eTag: record.s3.object.eTag,
    versionId: record.s3.object.versionId,
    sequencer: record.s3.object.sequencer,
  }));
}
