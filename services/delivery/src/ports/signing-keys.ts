import type { SigningKeyring } from '../domain/signature';

/** Where the signing keys come from; null when signed transforms are not configured. */
export interface SigningKeySource {
  keyring(): Promise<SigningKeyring | null>;
}
