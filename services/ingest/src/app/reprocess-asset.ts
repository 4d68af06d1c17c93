import { assertValid, type ReprocessResponse, validate } from '@sluice/contracts';
import { uploadKey } from '@sluice/runtime';
import { HttpError } from '../domain/http-error';
import { type AssetOriginals, OriginalNotReadableError } from '../ports/asset-originals';

/**
 * POST /internal/reprocess: writes the asset's original back to uploads/{tenantId}/{assetId}/{name},
 * whose ObjectCreated event runs it through the whole pipeline again (every stage is idempotent, and
 * a newer sequencer replaces older results). Still in uploads/: copied onto itself; rejected: from
 * quarantine/ (left there: a newer manifest outranks the rejection); archived: from originals/.
 */
export async function reprocessAsset(body: unknown, originals: AssetOriginals): Promise<ReprocessResponse> {
  const request = validate('reprocess-request/v1', body);
  if (!request.ok) throw new HttpError(400, 'invalid-request', request.errors.join('; '), request.errors);
  const { tenantId, assetId } = request.value;
  const found = await originals.locate(tenantId, assetId);
  const from = found[0];
  if (!from) throw new HttpError(404, 'not-found', `No original of asset ${assetId} for tenant ${tenantId}`);
  const fileName = from.key.split('/').pop() ?? 'file';
  const key = uploadKey({ tenantId, assetId, fileName });
  try {
    await originals.retrigger(from, key);
  } catch (error) {
    if (error instanceof OriginalNotReadableError)
      throw new HttpError(409, 'original-not-readable', error.message);
    throw error;
  }
  return assertValid('reprocess-response/v1', { assetId, tenantId, from: from.place, key });
}
