import { SluiceClient } from '@sluice/client';

/*
 * Who the page is. Locally, `npm start` hands the page its dev token at /local/dev-token; on AWS
 * the page would sign in with the identity provider. Either way a token can be pasted, and is kept
 * in sessionStorage (this tab only, gone when it closes).
 */

export interface Session {
  token: string;
  tenantId?: string;
  subject?: string;
  expiresAt?: Date;
  source: 'local' | 'pasted';
}

const KEY = 'sluice.token';

export function decode(token: string): Omit<Session, 'token' | 'source'> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    return {
      tenantId: typeof json.tenant_id === 'string' ? json.tenant_id : undefined,
      subject: typeof json.sub === 'string' ? json.sub : undefined,
      expiresAt: typeof json.exp === 'number' ? new Date(json.exp * 1000) : undefined,
    };
  } catch {
    return undefined;
  }
}

export const isExpired = (session: Session | undefined) =>
  !session || (session.expiresAt !== undefined && session.expiresAt.getTime() <= Date.now() + 5000);

export function sessionFrom(token: string, source: Session['source']): Session {
  return { token, source, ...decode(token) };
}

/** A stored pasted token, else the local stack's dev token, else nothing (the page asks). */
export async function restoreSession(): Promise<Session | undefined> {
  const stored = sessionStorage.getItem(KEY);
  if (stored) {
    const session = sessionFrom(stored, 'pasted');
    if (!isExpired(session)) return session;
    sessionStorage.removeItem(KEY);
  }
  try {
    const response = await fetch('/local/dev-token', { headers: { accept: 'application/json' } });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { token?: string };
    if (!body.token) return undefined;
    const session = sessionFrom(body.token, 'local');
    return isExpired(session) ? undefined : session;
  } catch {
    return undefined;
  }
}

export function rememberToken(token: string): Session {
  sessionStorage.setItem(KEY, token);
  return sessionFrom(token, 'pasted');
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** The API on the page's own origin. */
export function clientFor(session: Session | undefined): SluiceClient {
  return new SluiceClient({ baseUrl: '', token: () => session?.token });
}
