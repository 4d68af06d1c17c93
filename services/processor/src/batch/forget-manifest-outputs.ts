import type { OutputObject, OutputStore, StoredManifest } from '../ports/storage';

/**
 * The processed bucket with the asset's current manifest hidden from reads. processUpload treats an
 * event whose sequencer equals the manifest's as a replay and does nothing; a reprocess is that
 * same write on purpose (new presets), so it must not see the manifest. Writes still go through the
 * sequencer compare-and-swap unchanged: with the same sequencer they replace this write's outputs,
 * and they never replace the outputs of a newer write of the key.
 */
export class ForgetManifestOutputs implements OutputStore {
  constructor(
    private readonly outputs: OutputStore,
    private readonly hiddenManifestKey: string,
  ) {}

  async getManifest(key: string): Promise<StoredManifest | null> {
    return key === this.hiddenManifestKey ? null : this.outputs.getManifest(key);
  }

  putUnlessNewer(object: OutputObject): Promise<'written' | 'superseded'> {
    return this.outputs.putUnlessNewer(object);
  }

  deleteUnlessNewer(key: string, sequencer: string): Promise<'deleted' | 'kept'> {
    return this.outputs.deleteUnlessNewer(key, sequencer);
  }
}
