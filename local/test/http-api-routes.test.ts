import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DevIssuer } from '../src/dev-issuer';
import { type HttpApiServer, startHttpApi } from '../src/http-api';
import { RouteThrottle } from '../src/throttle';
import { handler } from './fixtures/handlers/echo-http';
import { tempDir } from './helpers';

describe('route throttling (API Gateway token buckets)', () => {
  it('admits a burst, then refills at the rate, each route on its own bucket', () => {
    let now = 0;
    const throttle = new RouteThrottle(
      { burstLimit: 2, rateLimit: 1 },
      { 'POST /hooks': { burstLimit: 1, rateLimit: 0.5 } },
      () => now,
    );
    expect([1, 2, 3].map(() => throttle.admit('GET /a'))).toEqual([true, true, false]);
    expect(throttle.admit('GET /b')).toBe(true); // another route, another bucket
    now = 999;
    expect(throttle.admit('GET /a')).toBe(false); // not quite one token back
    now = 1000;
    expect(throttle.admit('GET /a')).toBe(true);
    now = 60_000;
    expect([1, 2, 3].map(() => throttle.admit('GET /a'))).toEqual([true, true, false]); // never above the burst
    expect([throttle.admit('POST /hooks'), throttle.admit('POST /hooks')]).toEqual([true, false]);
    now = 62_000;
    expect(throttle.admit('POST /hooks')).toBe(true);
  });

  it('leaves routes unthrottled when neither the stage nor the route sets a limit', () => {
    const throttle = new RouteThrottle(undefined, {}, () => 0);
    expect(Array.from({ length: 100 }, () => throttle.admit('GET /a')).every(Boolean)).toBe(true);
  });

  it('blocks everything on a burst limit of 0', () => {
    const throttle = new RouteThrottle({ burstLimit: 0, rateLimit: 100 }, {}, () => 0);
    expect(throttle.admit('GET /a')).toBe(false);
  });
});

describe('HTTP API route settings', () => {
  const keys = tempDir('api-route-keys');
  let api: HttpApiServer;
  let token: string;
  let now = 0;

  beforeAll(async () => {
    const issuer = await DevIssuer.load({ keysFile: path.join(keys.dir, 'keys.json') });
    token = await issuer.issueToken({ tenantId: 'acme' });
    api = await startHttpApi({
      handler,
      functionName: 'ingest',
      timeoutSeconds: 5,
      routes: ['POST /uploads', 'POST /webhooks/{source}', 'GET /assets/{id}'],
      authorizer: issuer.authorizerConfig,
      throttling: { burstLimit: 3, rateLimit: 1 },
      routeSettings: {
        'POST /webhooks/{source}': { authorization: 'none', throttling: { burstLimit: 1, rateLimit: 1 } },
      },
      clock: () => now,
      logger: () => {},
    });
  });

  afterAll(async () => {
    await api?.close();
    keys.remove();
  });

  it('serves a public route without a token and with no authorizer in the event', async () => {
    const response = await fetch(`${api.url}/webhooks/shop`, { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(200);
    const event = (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.routeKey).toBe('POST /webhooks/{source}');
    expect(event.pathParameters).toEqual({ source: 'shop' });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it("throttles a route past its own burst with API Gateway's 429", async () => {
    const response = await fetch(`${api.url}/webhooks/shop`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ message: 'Too Many Requests' });
    now += 1000;
    expect((await fetch(`${api.url}/webhooks/shop`, { method: 'POST', body: '{}' })).status).toBe(200);
  });

  it('keeps the JWT authorizer on the other routes, under the default throttling', async () => {
    expect((await fetch(`${api.url}/assets/1`)).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${api.url}/assets/${i}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(response.status);
    }
    // Locally the bucket is checked before the authorizer, so the refused call above took a token too.
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('refuses settings for a route the API does not have', async () => {
    await expect(
      startHttpApi({
        handler,
        functionName: 'x',
        routes: ['GET /a'],
        authorizer: false,
        routeSettings: { 'GET /b': { authorization: 'none' } },
        logger: () => {},
      }),
    ).rejects.toThrow('Route settings for unknown route "GET /b"');
  });
});
