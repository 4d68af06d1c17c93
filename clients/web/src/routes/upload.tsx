import type { SluiceClient } from '@sluice/client';
import AwsS3 from '@uppy/aws-s3';
import Uppy, { type UppyFile } from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import { useEffect, useRef, useState } from 'preact/hooks';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { AssetCard } from '../components/asset-card';
import { recentUploads, rememberUpload } from '../recent';
import { uploadPartBytes } from '../s3-upload-bytes';
import type { Session } from '../session';

/** Files at least this large go multipart (resumable), as Uppy does by default. */
export const MULTIPART_THRESHOLD = 100 * 1024 * 1024;

type Meta = { assetId?: string };

/**
 * Drag and drop (or pick) many files; each gets per-file progress. Small files: POST /uploads then
 * the presigned POST straight to S3. Large ones: S3 multipart through the API's Companion-compatible
 * /s3/multipart endpoints, so a failed part is retried alone and an interrupted upload resumes.
 */
export function UploadPage(props: { client: SluiceClient; session: Session }) {
  const target = useRef<HTMLDivElement>(null);
  const [uploaded, setUploaded] = useState(() => recentUploads().slice(0, 12));
  const [status, setStatus] = useState('');

  useEffect(() => {
    if (!target.current) return;
    const uppy = new Uppy<Meta, Record<string, never>>({ autoProceed: false, id: 'sluice' });
    uppy.use(Dashboard, {
      inline: true,
      target: target.current,
      width: '100%',
      height: 360,
      proudlyDisplayPoweredByUppy: false,
      note: 'Images, documents, any file. Large files upload in resumable parts.',
      theme: 'auto',
    });
    uppy.use(AwsS3, {
      endpoint: location.origin,
      headers: { authorization: `Bearer ${props.session.token}` },
      shouldUseMultipart: (file: UppyFile<Meta, Record<string, never>>) =>
        (file.size ?? 0) >= MULTIPART_THRESHOLD,
      allowedMetaFields: [],
      uploadPartBytes,
      limit: 4,
      getUploadParameters: async (file: UppyFile<Meta, Record<string, never>>) => {
        const answer = await props.client.createUpload({
          fileName: file.name ?? 'file',
          contentType: file.type || 'application/octet-stream',
          size: file.size ?? 0,
        });
        uppy.setFileMeta(file.id, { assetId: answer.assetId });
        return { method: 'POST', url: answer.upload.url, fields: answer.upload.fields };
      },
    } as never);
    uppy.on('upload-success', (file, response) => {
      if (!file) return;
      const fromKey = /uploads\/[^/]+\/([0-9a-f-]{36})\//.exec(
        String((response?.body as { key?: string })?.key ?? ''),
      )?.[1];
      const assetId = uppy.getFile(file.id)?.meta.assetId ?? fromKey;
      if (!assetId) return;
      rememberUpload({
        assetId,
        fileName: file.name ?? assetId,
        size: file.size ?? 0,
        uploadedAt: new Date().toISOString(),
      });
      setUploaded(recentUploads().slice(0, 12));
    });
    uppy.on('complete', (result) => {
      const ok = result.successful?.length ?? 0;
      const failed = result.failed?.length ?? 0;
      setStatus(
        `${ok} file${ok === 1 ? '' : 's'} uploaded${failed ? `, ${failed} failed` : ''}. Processing follows below.`,
      );
    });
    return () => uppy.destroy();
  }, [props.client, props.session.token]);

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload</h1>
      <p class="lead">
        Drop files or folders here, or browse. Each file goes straight to storage; the pipeline takes it from
        there.
      </p>
      <div ref={target} class="uppy-target" data-testid="uploader" />
      <p role="status" aria-live="polite" class="status-line">
        {status}
      </p>
      {uploaded.length ? (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">Uploaded from this browser</h2>
          <ul class="grid" aria-label="Recent uploads">
            {uploaded.map((u) => (
              <AssetCard key={u.assetId} client={props.client} assetId={u.assetId} fileName={u.fileName} />
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
