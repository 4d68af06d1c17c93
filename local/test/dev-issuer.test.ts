import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createJwtVerifier, DEV_AUDIENCE, DEV_ISSUER, DevIssuer, issueDevToken } from '../src/dev-issuer';
import { tempDir } from './helpers';

describe('DevIssuer', () => {
  const temp = tempDir('keys');
  afterAll(() => temp.remove());

  it('issues ES256 tokens with sub and tenant_id for 12 hours', async () => {
    const keysFile = path.join(temp.dir, 'a.json');
    const token = await issueDevToken({ keysFile });
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token).alg).toBe('ES256');
    expect(claims).toMatchObject({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, sub: 'dev-user', tenant_id: 'dev' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);

    const custom = decodeJwt(
      await issueDevToken({ keysFile, tenantId: 'acme', sub: 'u-1', expiresIn: '5m' }),
    );
    expect(custom).toMatchObject({ sub: 'u-1', tenant_id: 'acme' });
    expect((custom.exp ?? 0) - (custom.iat ?? 0)).toBe(300);
  });

  it('keeps its keys across restarts, so tokens stay valid', async () => {
    const keysFile = path.join(temp.dir, 'b.json');
    const token = await (await DevIssuer.load({ keysFile })).issueToken();
    const restarted = await DevIssuer.load({ keysFile });
    await expect(createJwtVerifier(restarted.authorizerConfig)(token)).resolves.toMatchObject({
      tenant_id: 'dev',
    });
  });

  it('agrees on one key pair when several processes create it at once', async () => {
    const keysFile = path.join(temp.dir, 'c.json');
    const issuers = await Promise.all([1, 2, 3, 4].map(() => DevIssuer.load({ keysFile })));
    const kids = new Set(issuers.map((issuer) => issuer.jwks.keys[0]?.kid));
    expect(kids.size).toBe(1);
  });

  it('publishes only the public key', async () => {
    const issuer = await DevIssuer.load({ keysFile: path.join(temp.dir, 'd.json') });
    expect(issuer.jwks.keys).toHaveLength(1);
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
  });
});
