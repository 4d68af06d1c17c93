import type { ArchivedObjectState, OriginalStore, RestoreRequestOutcome } from '@sluice/archiver';

type Ref = { bucket: string; key: string };

/** Originals in memory: objects with a storage class, restores that finish when told to. */
export class FakeOriginalStore implements OriginalStore {
  readonly objects = new Map<string, ArchivedObjectState>();
  readonly restores: { ref: Ref; tier: string; days?: number }[] = [];

  put(ref: Ref, state: ArchivedObjectState): void {
    this.objects.set(`${ref.bucket}/${ref.key}`, state);
  }

  /** Completes a running restore: the copy reads until expiresAt. */
  finishRestore(ref: Ref, expiresAt: string): void {
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    if (state) state.restore = { ongoing: false, expiresAt };
  }

  async describe(ref: Ref): Promise<ArchivedObjectState | null> {
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    return state ? structuredClone(state) : null;
  }

  async requestRestore(
    ref: Ref,
    parameters: { tier: string; days?: number },
  ): Promise<RestoreRequestOutcome> {
    const state = this.objects.get(`${ref.bucket}/${ref.key}`);
    if (!state) throw new Error(`NoSuchKey ${ref.key}`);
    this.restores.push({ ref, ...parameters });
    if (state.restore?.ongoing) return 'in-progress';
    if (state.restore) return 'already-restored';
    state.restore = { ongoing: true };
    return 'accepted';
  }

  async downloadUrl(ref: Ref, options: { fileName: string; expiresInSeconds: number }): Promise<string> {
    return `https://${ref.bucket}.s3.example/${encodeURIComponent(ref.key)}?X-Amz-Expires=${options.expiresInSeconds}`;
  }
}
