import type { ArchivedObjectState, RestoreParameters } from '../domain/restore';
import type { ObjectRef } from './archive-store';

export type RestoreRequestOutcome = 'accepted' | 'in-progress' | 'already-restored';

/** Read access to originals, wherever they are: restores and short-lived download links. */
export interface OriginalStore {
  /** The object's storage class and restore state, or null when it does not exist. */
  describe(ref: ObjectRef): Promise<ArchivedObjectState | null>;
  requestRestore(ref: ObjectRef, parameters: RestoreParameters): Promise<RestoreRequestOutcome>;
  /** A presigned GET, served as an attachment named `fileName`. */
  downloadUrl(
    ref: ObjectRef,
    options: { fileName: string; expiresInSeconds: number; versionId?: string },
  ): Promise<string>;
}
