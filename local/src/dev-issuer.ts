import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { sluiceDir } from './paths';

/*
 * The local stand-in for the identity provider behind the HTTP API's JWT authorizer: an ES256
 * key pair kept in .sluice/dev-keys.json (git-ignored), so tokens stay valid across restarts.
 */

export const DEV_ISSUER = 'https://sluice.local/dev';
export const DEV_AUDIENCE = 'sluice-api';
export const DEV_TENANT_ID = 'dev';
export const DEV_SUBJECT = 'dev-user';
export const DEV_TOKEN_LIFETIME = '12h';
const ALGORITHM = 'ES256';
type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface DevTokenOptions {
  tenantId?: string;
  sub?: string;
  /** A time span ('12h', '5m') or seconds from now (negative: already expired). Default 12 h. */
  expiresIn?: string | number;
  /** Space-separated OAuth scopes (the `scope` claim). */
  scope?: string;
  /** Extra claims. */
  claims?: JWTPayload;
  /** Override iss / aud, to exercise the authorizer's refusals. */
  issuer?: string;
  audience?: string;
}

export interface DevKeysFile {
  alg: typeof ALGORITHM;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
}

export const defaultDevKeysFile = (): string => path.join(sluiceDir(), 'dev-keys.json');

/** What an authorizer needs to verify dev tokens: plain data, so it can cross process boundaries. */
export interface JwtAuthorizerConfig {
  issuer: string;
  audience: string | string[];
  jwks: { keys: JWK[] };
}

async function generateKeys(): Promise<DevKeysFile> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = randomUUID();
  return {
    alg: ALGORITHM,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
    createdAt: new Date().toISOString(),
  };
}

/**
 * Reads the key file, or creates it. Creation is atomic (write a temp file, hard-link it into
 * place): concurrent first starts all end up with the same keys.
 */
function loadOrCreateKeys(file: string, generated: () => Promise<DevKeysFile>): Promise<DevKeysFile> {
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as DevKeysFile;
  try {
    return Promise.resolve(read());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return Promise.reject(
        new Error(`Unreadable dev keys in ${file}: delete it to get new ones (${error})`),
      );
    }
  }
  return generated().then((keys) => {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
    return read();
  });
}

export class DevIssuer {
  readonly issuer = DEV_ISSUER;
  readonly audience = DEV_AUDIENCE;

  private constructor(
    private readonly keys: DevKeysFile,
    private readonly privateKey: SigningKey,
  ) {}

  /** Loads the persisted keys (default `.sluice/dev-keys.json`), creating them on first use. */
  static async load(options: { keysFile?: string } = {}): Promise<DevIssuer> {
    const keys = await loadOrCreateKeys(options.keysFile ?? defaultDevKeysFile(), generateKeys);
    return new DevIssuer(keys, await importJWK(keys.privateJwk, ALGORITHM));
  }

  get jwks(): { keys: JWK[] } {
    return { keys: [this.keys.publicJwk] };
  }

  get authorizerConfig(): JwtAuthorizerConfig {
    return { issuer: this.issuer, audience: this.audience, jwks: this.jwks };
  }

  /** A signed token with `sub` and `tenant_id` (default tenant `dev`), valid 12 h unless told. */
  issueToken(options: DevTokenOptions = {}): Promise<string> {
    return new SignJWT({
      ...options.claims,
      tenant_id: options.tenantId ?? DEV_TENANT_ID,
      ...(options.scope ? { scope: options.scope } : {}),
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.keys.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setSubject(options.sub ?? DEV_SUBJECT)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(
        typeof options.expiresIn === 'number'
          ? Math.floor(Date.now() / 1000) + options.expiresIn
          : (options.expiresIn ?? DEV_TOKEN_LIFETIME),
      )
      .sign(this.privateKey);
  }
}

/** Issues a dev token (for tests and scripts); keys as DevIssuer.load. */
export async function issueDevToken(options: DevTokenOptions & { keysFile?: string } = {}): Promise<string> {
  const { keysFile, ...tokenOptions } = options;
  return (await DevIssuer.load({ keysFile })).issueToken(tokenOptions);
}

/** A verifier for the authorizer: signature (against the JWKS), issuer, audience, expiry. */
export function createJwtVerifier(config: JwtAuthorizerConfig): (token: string) => Promise<JWTPayload> {
  const keySet: JWTVerifyGetKey = createLocalJWKSet(config.jwks);
  return async (token) => {
    const { payload } = await jwtVerify(token, keySet, { issuer: config.issuer, audience: config.audience });
    return payload;
  };
}
