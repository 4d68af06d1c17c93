/** What the CLI reads from a bearer token, without verifying it (the API does that). */
export interface TokenInfo {
  subject?: string;
  tenantId?: string;
  issuer?: string;
  /** Expiry, when the token has one. */
  expiresAt?: Date;
}

/** Decodes a JWT's payload; undefined when the token is not a JWT (opaque tokens are allowed). */
export function decodeToken(token: string): TokenInfo | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    return {
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      tenantId: typeof payload.tenant_id === 'string' ? payload.tenant_id : undefined,
      issuer: typeof payload.iss === 'string' ? payload.iss : undefined,
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined,
    };
  } catch {
    return undefined;
  }
}

/** True when the token says it has expired (with a little slack for clock skew). */
export function isExpired(info: TokenInfo | undefined, now = new Date(), skewSeconds = 5): boolean {
  return info?.expiresAt !== undefined && info.expiresAt.getTime() + skewSeconds * 1000 <= now.getTime();
}

/** `eyJhbGciOi…x1Yz` — enough to recognize a token, never enough to use it. */
export function redactToken(token: string): string {
  return token.length <= 16 ? '…' : `${token.slice(0, 10)}…${token.slice(-4)}`;
}
