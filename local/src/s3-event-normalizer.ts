import { createHash } from 'node:crypto';

/*
 * moto's S3 event notifications differ from AWS's (FIELD-NOTES.md): keys also encode '/' as
 * %2F, eventTime has microseconds and no 'Z', and userIdentity, requestParameters,
 * responseElements, bucket.ownerIdentity and object.sequencer are missing. The local poller runs
 * every SQS body through this normalizer so handlers only ever see AWS's exact shape.
 *
 * moto's s3:TestEvent lacks RequestId and HostId and has the same zone-less Time: filled in
 * too, because contracts/schemas/s3-test-event/v1 holds it to AWS's shape.
 *
 * Not fixable here, as it needs more than the message: moto sends no versionId for versioned
 * buckets, and an extra ObjectCreated:Put right before each ObjectCreated:CompleteMultipartUpload.
 */

/** Decodes an S3 event key: URL-encoded with '+' for spaces. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Encodes a key as AWS does in S3 events: like encodeURIComponent, but '/' kept and ' ' as '+'. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

// Fixed stand-ins for what AWS fills from the request; shapes match AWS's.
const LOCAL_PRINCIPAL_ID = 'AWS:AIDALOCALSLUICEDEVUSER';
const LOCAL_BUCKET_OWNER_ID = 'A1LOCALSLUICEOWNER';
const LOCAL_SOURCE_IP = '127.0.0.1';
const SNS_SUBJECT_FOR_S3 = 'Amazon S3 Notification';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True for `{ Records: [{ eventSource: 'aws:s3', ... }] }`. */
export function isS3EventNotification(doc: unknown): doc is { Records: Json[] } {
  return (
    isObject(doc) &&
    Array.isArray(doc.Records) &&
    doc.Records.length > 0 &&
    doc.Records.every((record) => isObject(record) && record.eventSource === 'aws:s3' && isObject(record.s3))
  );
}

/** True for S3's `{ Service: 'Amazon S3', Event: 's3:TestEvent', ... }`. */
export function isS3TestEvent(doc: unknown): doc is Json {
  return isObject(doc) && doc.Service === 'Amazon S3' && doc.Event === 's3:TestEvent';
}

/**
 * An event time as microseconds since the epoch. moto writes `2026-12-04T20:15:39.383520`
 * (UTC, no zone); AWS `2026-12-04T20:15:39.383Z`.
 */
export function eventTimeMicros(eventTime: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    eventTime,
  );
  if (!match) return undefined;
  const [, seconds, fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** An event time as AWS writes it (UTC, milliseconds, 'Z'); unparseable times stay as they are. */
function utcIso(time: string): string {
  const micros = eventTimeMicros(time);
  return micros === undefined ? time : new Date(Math.floor(micros / 1000)).toISOString();
}

const hash = (text: string) => createHash('sha256').update(text).digest();

export interface S3EventNormalizerOptions {
  /** How many events to remember so a redelivered event keeps its sequencer. Default 10,000. */
  memory?: number;
}

/**
 * Rewrites moto's S3 events into AWS's shape. Stateful only for sequencers: each is the event
 * time in microseconds (14 hex digits) followed by a counter (4 hex digits), uppercase and fixed
 * width (18, like AWS's), so later writes of a key get greater sequencers even within one
 * microsecond; an event seen again (a redelivery) gets the sequencer it got the first time.
 */
export class S3EventNormalizer {
  private counter = 0;
  private readonly sequencers = new Map<string, string>();
  private readonly memory: number;

  constructor(options: S3EventNormalizerOptions = {}) {
    this.memory = options.memory ?? 10_000;
  }

  /**
   * Normalizes an SQS message body: an SNS envelope around an S3 event, or an S3 event itself
   * (raw delivery, or S3 → SQS), or an s3:TestEvent. Anything else comes back untouched.
   */
  normalizeSqsBody(body: string): string {
    const doc = parseJson(body);
    if (isObject(doc) && doc.Type === 'Notification' && typeof doc.Message === 'string') {
      const message = parseJson(doc.Message);
      let normalized: Json;
      if (isS3EventNotification(message)) normalized = this.normalizeNotification(message);
      else if (isS3TestEvent(message)) normalized = this.normalizeTestEvent(message);
      else return body;
      // SNS sets this Subject on S3's notifications; moto leaves it out. AWS's field order.
      const { Type, MessageId, TopicArn, Subject = SNS_SUBJECT_FOR_S3, Message: _message, ...rest } = doc;
      const envelope = {
        Type,
        MessageId,
        TopicArn,
        Subject,
        Message: JSON.stringify(normalized),
        ...rest,
      };
      return JSON.stringify(envelope, null, 2);
    }
    if (isS3EventNotification(doc)) return JSON.stringify(this.normalizeNotification(doc));
    if (isS3TestEvent(doc)) return JSON.stringify(this.normalizeTestEvent(doc));
    return body;
  }

  /** The s3:TestEvent S3 sends when notifications are configured, with AWS's fields. */
  normalizeTestEvent(event: Json): Json {
    const { Service, Event, Time, Bucket, RequestId, HostId, ...rest } = event;
    const digest = hash(JSON.stringify(['test-event', Bucket, Time]));
    return {
      Service,
      Event,
      Time: typeof Time === 'string' ? utcIso(Time) : Time,
      Bucket,
      RequestId: RequestId ?? digest.subarray(0, 8).toString('hex').toUpperCase(),
      HostId: HostId ?? digest.toString('base64'),
      ...rest,
    };
  }

  /** Normalizes a parsed S3 event notification (`{ Records: [...] }`); returns a new object. */
  normalizeNotification(notification: { Records: Json[] }): { Records: Json[] } {
    return { ...notification, Records: notification.Records.map((record) => this.normalizeRecord(record)) };
  }

  private normalizeRecord(record: Json): Json {
    const s3 = isObject(record.s3) ? record.s3 : {};
    const bucket = isObject(s3.bucket) ? s3.bucket : {};
    const object = isObject(s3.object) ? s3.object : {};
    const rawKey = typeof object.key === 'string' ? object.key : '';
    const rawTime = typeof record.eventTime === 'string' ? record.eventTime : '';
    const micros = eventTimeMicros(rawTime);
    const identity = JSON.stringify([
      bucket.name,
      rawKey,
      rawTime,
      record.eventName,
      object.eTag,
      object.versionId,
    ]);
    const digest = hash(identity);

    const userIdentity = isObject(record.userIdentity)
      ? record.userIdentity
      : { principalId: LOCAL_PRINCIPAL_ID };
    const requestParameters = isObject(record.requestParameters)
      ? record.requestParameters
      : { sourceIPAddress: LOCAL_SOURCE_IP };
    const responseElements = isObject(record.responseElements)
      ? record.responseElements
      : {
          'x-amz-request-id': digest.subarray(0, 8).toString('hex').toUpperCase(),
          'x-amz-id-2': Buffer.concat([digest, hash(`id-2:${identity}`)])
            .subarray(0, 56)
            .toString('base64'),
        };

    let key = rawKey;
    try {
      key = encodeS3EventKey(decodeS3EventKey(rawKey));
    } catch {
      // Not valid percent-encoding: leave the key as it came.
    }

    const { key: _key, size, eTag, versionId, sequencer, ...otherObjectFields } = object;
    const { name, ownerIdentity, arn, ...otherBucketFields } = bucket;
    const { s3SchemaVersion, configurationId, bucket: _bucket, object: _object, ...otherS3Fields } = s3;
    const {
      eventVersion,
      eventSource,
      awsRegion,
      eventTime: _eventTime,
      eventName,
      userIdentity: _userIdentity,
      requestParameters: _requestParameters,
      responseElements: _responseElements,
      s3: _s3,
      ...otherRecordFields
    } = record;

    // AWS's field order, so captured events read like AWS's own examples.
    return {
      eventVersion,
      eventSource,
      awsRegion,
      eventTime: utcIso(rawTime),
      eventName,
      userIdentity,
      requestParameters,
      responseElements,
      s3: {
        s3SchemaVersion,
        configurationId,
        bucket: {
          name,
          ownerIdentity: isObject(ownerIdentity) ? ownerIdentity : { principalId: LOCAL_BUCKET_OWNER_ID },
          arn: arn ?? (typeof name === 'string' ? `arn:aws:s3:::${name}` : undefined),
          ...otherBucketFields,
        },
        object: {
          key,
          size,
          eTag,
          ...(versionId === undefined ? {} : { versionId }),
          sequencer:
            typeof sequencer === 'string' && sequencer ? sequencer : this.sequencerFor(identity, micros),
          ...otherObjectFields,
        },
        ...otherS3Fields,
      },
      ...otherRecordFields,
    };
  }

  private sequencerFor(identity: string, micros: number | undefined): string {
    const known = this.sequencers.get(identity);
    if (known) return known;
    const time = (micros ?? Date.now() * 1000).toString(16).toUpperCase().padStart(14, '0');
    const count = this.counter.toString(16).toUpperCase().padStart(4, '0');
    this.counter = (this.counter + 1) % 0x10000;
    const sequencer = `${time}${count}`;
    this.sequencers.set(identity, sequencer);
    if (this.sequencers.size > this.memory) {
      const oldest = this.sequencers.keys().next().value;
      if (oldest !== undefined) this.sequencers.delete(oldest);
    }
    return sequencer;
  }
}
