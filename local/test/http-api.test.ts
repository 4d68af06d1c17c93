import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DevIssuer } from '../src/dev-issuer';
import {
  type HttpApiServer,
  matchRoute,
  PAYLOAD_LIMIT_BYTES,
  parseRoute,
  startHttpApi,
} from '../src/http-api';
import { handler } from './fixtures/handlers/echo-http';
import { tempDir } from './helpers';

describe('HTTP API (API Gateway payload 2.0, JWT authorizer)', () => {
  const keys = tempDir('api-keys');
  let issuer: DevIssuer;
  let otherIssuer: DevIssuer;
  let api: HttpApiServer;
  let token: string;

  beforeAll(async () => {
    issuer = await DevIssuer.load({ keysFile: path.join(keys.dir, 'keys.json') });
    otherIssuer = await DevIssuer.load({ keysFile: path.join(keys.dir, 'other-keys.json') });
    token = await issuer.issueToken({
      tenantId: 'acme',
      sub: 'user-1',
      claims: { groups: ['admin', 'ops'] },
    });
    api = await startHttpApi({
      handler,
      functionName: 'ingest',
      timeoutSeconds: 5,
      routes: ['POST /uploads', 'GET /assets/{id}', 'ANY /files/{path+}'],
      authorizer: issuer.authorizerConfig,
      logger: () => {},
    });
  });

  afterAll(async () => {
    await api?.close();
    keys.remove();
  });

  /** A request with the dev token, another token, or (null) none. */
  const call = (route: string, init: RequestInit = {}, bearer: string | null = token) =>
    fetch(`${api.url}${route}`, {
      ...init,
      headers: {
        ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}),
        ...(init.headers as object),
      },
    });
  const eventOf = async (response: Response) =>
    (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
  const jsonOf = async (response: Response) => (await response.json()) as Record<string, unknown>;

  it('builds the APIGatewayProxyEventV2 API Gateway would', async () => {
    const response = await call('/assets/a%20b?tag=x&tag=y&q=1', {
      headers: { cookie: 'session=abc; theme=dark', 'x-custom': 'yes', 'user-agent': 'jest' },
    });
    expect(response.status).toBe(200);
    const event = await eventOf(response);
    expect(Object.keys(event)).toEqual([
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'cookies',
      'headers',
      'queryStringParameters',
      'requestContext',
      'pathParameters',
      'isBase64Encoded',
    ]);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /assets/{id}',
      rawPath: '/assets/a%20b',
      rawQueryString: 'tag=x&tag=y&q=1',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { tag: 'x,y', q: '1' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      'x-custom': 'yes',
      'user-agent': 'jest',
      'x-forwarded-proto': 'http',
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(Object.keys(event.headers).every((name: string) => name === name.toLowerCase())).toBe(true);

    const context = event.requestContext;
    expect(context).toMatchObject({
      accountId: '123456789012',
      apiId: expect.any(String),
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: 'GET',
        path: '/assets/a%20b',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest',
      },
      requestId: expect.any(String),
      routeKey: 'GET /assets/{id}',
      stage: '$default',
      time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      timeEpoch: expect.any(Number),
    });
    expect(context.authorizer.jwt.scopes).toBeNull();
    expect(context.authorizer.jwt.claims).toMatchObject({
      iss: 'https://sluice.local/dev',
      aud: 'sluice-api',
      sub: 'user-1',
      tenant_id: 'acme',
      groups: '[admin ops]',
      exp: expect.stringMatching(/^\d+$/),
      iat: expect.stringMatching(/^\d+$/),
    });
  });

  it('passes text bodies as text and binary bodies base64-encoded', async () => {
    const json = await jsonOf(
      await call('/uploads', {
        method: 'POST',
        body: '{"fileName":"a.jpg"}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(json).toMatchObject({
      routeKey: 'POST /uploads',
      body: '{"fileName":"a.jpg"}',
      isBase64Encoded: false,
    });
    expect(json).not.toHaveProperty('pathParameters');
    expect(json).not.toHaveProperty('queryStringParameters');

    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00]);
    const binary = await jsonOf(
      await call('/uploads', { method: 'POST', body: bytes, headers: { 'content-type': 'image/jpeg' } }),
    );
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it('matches greedy and ANY routes', async () => {
    const event = await eventOf(await call('/files/a/b%20c.txt', { method: 'DELETE' }));
    expect(event).toMatchObject({ routeKey: 'ANY /files/{path+}', pathParameters: { path: 'a/b c.txt' } });
  });

  it.each([
    ['no Authorization header', null],
    ['a malformed token', 'not-a-jwt'],
  ])('answers 401 Unauthorized to %s', async (_, bearer) => {
    const response = await call('/assets/1', {}, bearer);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it.each([
    ['signed by another key', () => otherIssuer.issueToken()],
    ['expired', () => issuer.issueToken({ expiresIn: -60 })],
    ['for another audience', () => issuer.issueToken({ audience: 'someone-else' })],
    ['from another issuer', () => issuer.issueToken({ issuer: 'https://evil.example' })],
  ])('answers 401 Unauthorized to a token %s', async (_, makeToken) => {
    const response = await call('/assets/1', {}, await makeToken());
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('answers 404 Not Found to an unknown route or method', async () => {
    for (const [route, method] of [
      ['/nowhere', 'GET'],
      ['/uploads', 'GET'],
      ['/assets/1/more', 'GET'],
    ] as const) {
      const response = await call(route, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('answers 413 to a body over 10 MB, and accepts one of exactly 10 MB', async () => {
    const tooLarge = await call('/uploads', {
      method: 'POST',
      body: Buffer.alloc(PAYLOAD_LIMIT_BYTES + 1, 97),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ message: 'Request Entity Too Large' });

    const atLimit = await call('/uploads', {
      method: 'POST',
      body: Buffer.alloc(PAYLOAD_LIMIT_BYTES, 97),
      headers: { 'content-type': 'text/plain' },
    });
    expect(atLimit.status).toBe(200);
    expect((await jsonOf(atLimit)).body).toBe(`(${PAYLOAD_LIMIT_BYTES} chars)`);
  });

  it('maps handler results by the payload 2.0 rules', async () => {
    const bare = await call('/assets/bare');
    expect(bare.status).toBe(200);
    expect(bare.headers.get('content-type')).toBe('application/json');
    expect(await bare.json()).toEqual({ hello: 'world' });

    const text = await call('/assets/text');
    expect(text.status).toBe(200);
    expect(await text.text()).toBe('plain words');

    const binary = await call('/assets/binary');
    expect(binary.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from('iVBORw0K', 'base64'));

    const cookies = await call('/assets/cookies');
    expect(cookies.status).toBe(204);
    expect(cookies.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('answers 500 Internal Server Error when the handler throws', async () => {
    const response = await call('/assets/boom');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers CORS preflights permissively, without a token', async () => {
    const response = await fetch(`${api.url}/uploads`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
  });
});

describe('route matching', () => {
  const routes = [
    'GET /assets/{id}',
    'GET /assets/latest',
    'ANY /assets/{proxy+}',
    'ANY /{proxy+}',
    '$default',
  ].map(parseRoute);
  it.each([
    ['GET', '/assets/latest', 'GET /assets/latest'],
    ['GET', '/assets/42', 'GET /assets/{id}'],
    ['POST', '/assets/42', 'ANY /assets/{proxy+}'],
    ['GET', '/assets/42/renditions', 'ANY /assets/{proxy+}'],
    ['GET', '/other', 'ANY /{proxy+}'],
    ['GET', '/', '$default'],
  ])('%s %s → %s', (method, route, routeKey) => {
    expect(matchRoute(routes, method, route)?.route.routeKey).toBe(routeKey);
  });

  it('refuses malformed route keys', () => {
    expect(() => parseRoute('/uploads')).toThrow(/expected "METHOD \/path"/);
  });
});
