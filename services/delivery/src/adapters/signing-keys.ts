import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@sluice/runtime';
import { parseKeyring, type SigningKeyring } from '../domain/signature';
import type { SigningKeySource } from '../ports/signing-keys';

const MISSING_SECRET_RECHECK_MS = 30_000;

/** Keys fixed at start (DELIVERY_SIGNING_KEYS), or none: signed transforms disabled. */
export class StaticSigningKeys implements SigningKeySource {
  constructor(private readonly ring: SigningKeyring | null) {}

  keyring(): Promise<SigningKeyring | null> {
    return Promise.resolve(this.ring);
  }
}

/**
 * Keys from a Secrets Manager secret (a delivery-signing-keys/v1 document), read on first use and
 * again once `ttlMs` has passed, so a rotation reaches every running instance within that time
 * without a deploy. While Secrets Manager cannot be reached, the last keys read stay in use. A secret
 * that does not exist disables signed transforms, checked again after at most 30 s (the first
 * rotation creates it).
 */
export class SecretsManagerSigningKeys implements SigningKeySource {
  private cached: { ring: SigningKeyring | null; at: number } | undefined;
  private loading: Promise<SigningKeyring | null> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  keyring(): Promise<SigningKeyring | null> {
    const ttl = this.cached?.ring ? this.ttlMs : Math.min(this.ttlMs, MISSING_SECRET_RECHECK_MS);
    if (this.cached && this.now() - this.cached.at < ttl) return Promise.resolve(this.cached.ring);
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<SigningKeyring | null> {
    let secret: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      secret = out.SecretString;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') {
        this.logger.warn('Signing keys secret not found: signed transforms are disabled', {
          secretId: this.secretId,
        });
        this.cached = { ring: null, at: this.now() };
        return null;
      }
      if (this.cached) {
        this.logger.error('Could not refresh the signing keys; keeping the last ones', { error });
        this.cached = { ring: this.cached.ring, at: this.now() };
        return this.cached.ring;
      }
      throw error;
    }
    const ring = parseKeyring(JSON.parse(secret ?? 'null'));
    this.cached = { ring, at: this.now() };
    return ring;
  }
}
