import { CopyObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { validate } from '@sluice/contracts';
import { issueDevToken, type LocalStack, startStack } from '@sluice/local';
import { archiveKey } from '@sluice/runtime';
import { type ApiCall, apiClient, ingestTopology, sha256 } from './ingest-support';
import { awsClients, eventually, fixture, postFile } from './support';

/*
 * Restoring an archived original through the public API: upload, let the processor and the
 * archiver move the original to the archive (GLACIER_IR), make the DEEP_ARCHIVE transition a
 * lifecycle rule would (moto never runs them), then GET /assets/{id} shows it archived,
 * POST /assets/{id}/restore starts a restore, the status follows it, and the download URL serves
 * the original's bytes.
 */

const TENANT = 'acme';

describe('POST /assets/{id}/restore and the original in GET /assets/{id} on the local stack', () => {
  let stack: LocalStack;
  let aws: ReturnType<typeof awsClients>;
  let acme: ReturnType<typeof apiClient>;
  let globex: ReturnType<typeof apiClient>;
  const photo = fixture('jpeg/baseline-canon-40d.jpg');
  let assetId: string;

  beforeAll(async () => {
    stack = await startStack({
      stateFile: false,
      namePrefix: 'e2e-restore-api',
      services: ['ingest', 'processor', 'archiver'],
      topology: ingestTopology(),
    });
    aws = awsClients(stack.awsEndpoint);
    acme = apiClient(stack.apiUrl, await issueDevToken({ tenantId: TENANT }));
    globex = apiClient(stack.apiUrl, await issueDevToken({ tenantId: 'globex' }));
  }, 120_000);

  afterAll(async () => {
    if (stack) {
      await fetch(`${stack.awsEndpoint}/moto-api/state-manager/unset-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: 's3::keyrestore' }),
      }).catch(() => undefined);
    }
    aws?.s3.destroy();
    await stack?.stop();
  });

  const expectError = (call: ApiCall, status: number, code: string) => {
    expect({ status: call.status, code: call.json?.error?.code }).toEqual({ status, code });
    expect(validate('api-error/v1', call.json).ok).toBe(true);
  };

  const status = async () => {
    const call = await acme('GET', `/assets/${assetId}`);
    expect(call.status).toBe(200);
    expect(validate('asset-status/v1', call.json).ok).toBe(true);
    return call.json;
  };

  it('shows the original archived once the archiver moved it and a lifecycle rule took it to DEEP_ARCHIVE', async () => {
    const created = await acme('POST', '/uploads', {
      fileName: 'cat photo.jpg',
      contentType: 'image/jpeg',
      size: photo.length,
    });
    expect(created.status).toBe(201);
    assetId = created.json.assetId;
    expect(await postFile(created.json.upload, photo, 'image/jpeg')).toBe(204);

    const inArchive = await eventually(
      'the archiver to move the original',
      async () => {
        const s = await status();
        return s.original?.location === 'archive' ? s.original : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // GLACIER_IR: readable without a restore, with a download URL.
    expect(inArchive).toMatchObject({
      location: 'archive',
      availability: 'available',
      storageClass: 'GLACIER_IR',
      size: photo.length,
    });
    expect(inArchive.download.url).toMatch(/^https?:\/\//);

    const bucket = stack.resources.buckets.archive as string;
    const key = archiveKey({ tenantId: TENANT, assetId, fileName: 'cat photo.jpg' });
    await aws.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        StorageClass: 'DEEP_ARCHIVE',
        MetadataDirective: 'COPY',
      }),
    );
    await expect(aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      name: 'InvalidObjectState',
    });
    expect((await status()).original).toEqual({
      location: 'archive',
      availability: 'archived',
      storageClass: 'DEEP_ARCHIVE',
      size: photo.length,
    });
  });

  it('refuses a bad body with 400, a tier DEEP_ARCHIVE does not offer with 400, another tenant with 404', async () => {
    expectError(await acme('POST', `/assets/${assetId}/restore`, { days: 0 }), 400, 'invalid-request');
    expectError(await acme('POST', `/assets/${assetId}/restore`, { tier: 'Soon' }), 400, 'invalid-request');
    expectError(await acme('POST', `/assets/${assetId}/restore`, '{days'), 400, 'invalid-json');
    expectError(
      await acme('POST', `/assets/${assetId}/restore`, { tier: 'Expedited' }),
      400,
      'tier-unavailable',
    );
    expectError(await globex('POST', `/assets/${assetId}/restore`, { tier: 'Bulk' }), 404, 'not-found');
    expectError(await globex('GET', `/assets/${assetId}`), 404, 'not-found');
    expect((await status()).original.availability).toBe('archived');
  });

  it('restores it (202), shows the progress, then serves the original through the download URL', async () => {
    // moto completes a restore at once by default; 'manual' moves it on every `times` lookups of the
    // object (any HEAD or GET), so the status can be seen between request and completion.
    await fetch(`${stack.awsEndpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 's3::keyrestore', transition: { progression: 'manual', times: 2 } }),
    });
    const requested = await acme('POST', `/assets/${assetId}/restore`, { tier: 'Bulk', days: 1 });
    expect(requested.status).toBe(202);
    expect(validate('original-status/v1', requested.json).ok).toBe(true);
    expect(requested.json).toMatchObject({
      location: 'archive',
      storageClass: 'DEEP_ARCHIVE',
      restoreRequested: 'accepted',
    });
    expect(['restoring', 'restored']).toContain(requested.json.availability);

    const restored = await eventually('the restore to complete', async () => {
      const s = await status();
      return s.original?.availability === 'restored' ? s.original : undefined;
    });
    expect(restored.restoreExpiresAt).toMatch(/Z$/);
    const download = await fetch(restored.download.url);
    expect(download.status).toBe(200);
    // The URL asks S3 for an attachment under the file name (moto does not echo the header back).
    expect(new URL(restored.download.url).searchParams.get('response-content-disposition')).toContain(
      'attachment',
    );
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(photo));
  });
});
