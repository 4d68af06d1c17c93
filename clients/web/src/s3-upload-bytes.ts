import AwsS3 from '@uppy/aws-s3';

type UploadPartBytes = typeof AwsS3.uploadPartBytes;
type Options = Parameters<UploadPartBytes>[0];

/**
 * Uppy's byte uploader, except that a presigned POST succeeds on any 2xx even when the answer's
 * ETag and Location headers cannot be read: the local emulator (moto) sends neither on a form
 * upload, and a POST needs no ETag (only multipart parts do, and those still go through Uppy's own).
 */
export const uploadPartBytes: UploadPartBytes = (options: Options) => {
  const { signature, body, size, onProgress, onComplete, signal } = options;
  if ((signature.method ?? 'PUT').toUpperCase() !== 'POST') return AwsS3.uploadPartBytes(options);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', signature.url, true);
    for (const [name, value] of Object.entries(signature.headers ?? {})) xhr.setRequestHeader(name, value);
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort);
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.upload.addEventListener('progress', (event) => onProgress(event));
    xhr.addEventListener('abort', () => {
      done();
      reject(new DOMException('The upload was aborted', 'AbortError'));
    });
    xhr.addEventListener('error', () => {
      done();
      reject(Object.assign(new Error('The upload failed (network error)'), { source: xhr }));
    });
    xhr.addEventListener('load', () => {
      done();
      if (xhr.status < 200 || xhr.status >= 300) {
        const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText)?.[1];
        reject(
          Object.assign(
            new Error(`Storage refused the upload (HTTP ${xhr.status}${code ? `, ${code}` : ''})`),
            { source: xhr },
          ),
        );
        return;
      }
      onProgress({ loaded: size ?? 0, lengthComputable: true } as ProgressEvent);
      // Only the headers CORS exposes are listed here (getResponseHeader would log the others).
      const headers = new Map(
        xhr
          .getAllResponseHeaders()
          .trim()
          .split(/[\r\n]+/)
          .map((line) => [
            line.slice(0, line.indexOf(':')).trim().toLowerCase(),
            line.slice(line.indexOf(':') + 1).trim(),
          ]),
      );
      const etag = headers.get('etag') ?? '';
      const key = signature.fields?.key ?? '';
      const location = headers.get('location') ?? `${signature.url.replace(/\/+$/, '')}/${key}`;
      onComplete?.(etag);
      resolve({ ETag: etag, location } as never);
    });
    xhr.send(body);
  });
};
