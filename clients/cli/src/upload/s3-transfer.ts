import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, ExitCode } from '../errors';

/*
 * Bytes to S3 with progress: a presigned POST (multipart/form-data: every policy field, then the
 * file) and a presigned part PUT. fetch has no upload progress, so these use node:http streams.
 */

export type OnBytes = (bytes: number) => void;

export class TransferError extends Error {
  constructor(
    message: string,
    /** Worth another try: network trouble, a 5xx, S3's throttling. */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

interface SendOptions {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string | number>;
  body: Readable;
  signal?: AbortSignal;
}

/** S3's XML error: `<Code>EntityTooLarge</Code><Message>...</Message>`. */
function s3ErrorMessage(body: string): string | undefined {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return code ? `${code}${message ? `: ${message}` : ''}` : undefined;
}

function send(
  options: SendOptions,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(options.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: options.method,
      headers: options.headers,
      signal: options.signal,
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if ((error as Error).name === 'AbortError') return reject(error);
      reject(
        new TransferError(
          `Upload to ${url.host} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
          true,
        ),
      );
    });
    pipeline(options.body, request).catch((error: unknown) => {
      request.destroy(error as Error);
    });
  });
}

function counted(source: Readable, onBytes: OnBytes): Readable {
  const through = new PassThrough();
  source.on('data', (chunk: Buffer) => onBytes(chunk.length));
  source.on('error', (error) => through.destroy(error));
  source.pipe(through);
  return through;
}

function checkStatus(status: number, body: string, what: string): void {
  if (status >= 200 && status < 300) return;
  const detail = s3ErrorMessage(body) ?? (body.slice(0, 200) || 'no details');
  if (status === 403 && /expired/i.test(detail)) {
    throw new TransferError(`${what}: the presigned request expired (${detail})`, false, status);
  }
  throw new TransferError(
    `${what} answered HTTP ${status}: ${detail}`,
    status >= 500 || status === 429,
    status,
  );
}

/** A browser-style form upload: the policy fields in order, then the file as the last field `file`. */
export async function postPresignedForm(options: {
  url: string;
  fields: Record<string, string>;
  file: string;
  fileName: string;
  size: number;
  contentType: string;
  onBytes: OnBytes;
  signal?: AbortSignal;
}): Promise<void> {
  const boundary = `----sluice${randomBytes(12).toString('hex')}`;
  const quote = (value: string) => value.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
  let head = '';
  for (const [name, value] of Object.entries(options.fields)) {
    head += `--${boundary}\r\ncontent-disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${quote(options.fileName)}"\r\n` +
    `content-type: ${options.contentType}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(head) + options.size + Buffer.byteLength(tail);
  const file = counted(createReadStream(options.file), options.onBytes);
  async function* body() {
    yield Buffer.from(head);
    yield* file;
    yield Buffer.from(tail);
  }
  const response = await send({
    method: 'POST',
    url: options.url,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length },
    body: Readable.from(body()),
    signal: options.signal,
  });
  checkStatus(response.status, response.body, 'The upload (presigned POST)');
}

/** One part of a multipart upload; resolves to the part's ETag. */
export async function putPresignedPart(options: {
  url: string;
  file: string;
  start: number;
  end: number;
  onBytes: OnBytes;
  signal?: AbortSignal;
}): Promise<string> {
  const length = options.end - options.start;
  const body =
    length === 0
      ? Readable.from([])
      : counted(
          createReadStream(options.file, { start: options.start, end: options.end - 1 }),
          options.onBytes,
        );
  const response = await send({
    method: 'PUT',
    url: options.url,
    headers: { 'content-length': length },
    body,
    signal: options.signal,
  });
  checkStatus(response.status, response.body, 'A part upload');
  const etag = response.headers.etag;
  if (typeof etag !== 'string' || !etag) {
    throw new CliError('S3 accepted a part but sent no ETag', ExitCode.failed);
  }
  return etag;
}
