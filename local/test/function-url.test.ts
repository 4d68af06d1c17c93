import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import {
  FUNCTION_URL_PAYLOAD_LIMIT_BYTES,
  type FunctionUrlServer,
  startFunctionUrl,
} from '../src/function-url';
import { signedHeaders } from '../src/sigv4';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

/** Echoes the event; POST /boom throws. */
const echo = async (event: LambdaFunctionURLEventWithIAMAuthorizer) => {
  if (event.rawPath === '/boom') throw new Error('scripted failure');
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
};

describe('function URL (payload 2.0, AWS_IAM by SigV4)', () => {
  let iamUrl: FunctionUrlServer;
  let openUrl: FunctionUrlServer;

  beforeAll(async () => {
    const common = { handler: echo, functionName: 'ingest-internal', timeoutSeconds: 5, logger: () => {} };
    iamUrl = await startFunctionUrl({ ...common, authType: 'AWS_IAM', credentials: [credentials], region });
    openUrl = await startFunctionUrl({ ...common, authType: 'NONE', region });
  });

  afterAll(async () => {
    await iamUrl?.close();
    await openUrl?.close();
  });

  async function signedCall(
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
    sign: Partial<Parameters<typeof signedHeaders>[2]> = {},
    sentBody = init.body,
  ) {
    const url = `${iamUrl.url}${path}`;
    const headers = await signedHeaders(url, init, { credentials, region, ...sign });
    return fetch(url, { method: init.method ?? 'GET', headers, body: sentBody });
  }

  it('passes a correctly signed request to the handler with the IAM caller in the event', async () => {
    const response = await signedCall('/internal/reprocess?dry=1', {
      method: 'POST',
      body: '{"assetId":"x"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const event = (await response.json()) as LambdaFunctionURLEventWithIAMAuthorizer;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/internal/reprocess',
      rawQueryString: 'dry=1',
      queryStringParameters: { dry: '1' },
      body: '{"assetId":"x"}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: '$default',
        stage: '$default',
        http: { method: 'POST', path: '/internal/reprocess' },
        authorizer: { iam: { accessKey: 'test', accountId: '123456789012' } },
      },
    });
    expect(event.requestContext.domainName).toMatch(/^[0-9a-f]{32}\.lambda-url\.us-east-1\.on\.aws$/);
    expect(event).not.toHaveProperty('pathParameters');
  });

  it.each([
    ['unsigned', async () => fetch(`${iamUrl.url}/internal/reprocess`, { method: 'POST', body: '{}' })],
    [
      'signed with the wrong secret',
      () =>
        signedCall(
          '/x',
          { method: 'POST', body: '{}' },
          {
            credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' },
          },
        ),
    ],
    [
      'signed by an unknown key',
      () => signedCall('/x', {}, { credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'test' } }),
    ],
    ['signed for another service', () => signedCall('/x', {}, { service: 's3' })],
    ['signed for another region', () => signedCall('/x', {}, { region: 'eu-west-1' })],
    [
      'signed 20 minutes ago',
      () => signedCall('/x', {}, { signingDate: new Date(Date.now() - 20 * 60_000) }),
    ],
    [
      'with a body other than the one signed',
      () => signedCall('/x', { method: 'POST', body: '{"a":1}' }, {}, '{"a":2}'),
    ],
    [
      'to another path than the one signed',
      async () => {
        const headers = await signedHeaders(`${iamUrl.url}/internal/a`, {}, { credentials, region });
        return fetch(`${iamUrl.url}/internal/b`, { headers });
      },
    ],
  ])('refuses a request %s with 403 Forbidden', async (_what, send) => {
    const response = await send();
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: 'Forbidden' });
  });

  it('refuses a body over 6 MB with 413 before checking anything else', async () => {
    const response = await fetch(`${iamUrl.url}/x`, {
      method: 'POST',
      body: Buffer.alloc(FUNCTION_URL_PAYLOAD_LIMIT_BYTES + 1, 0x61),
    });
    expect(response.status).toBe(413);
  });

  it('answers 502 when the function fails', async () => {
    const response = await signedCall('/boom', { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ Message: 'Internal Server Error' });
  });

  it('needs no signature with authType NONE, and then carries no authorizer', async () => {
    const response = await fetch(`${openUrl.url}/anything`);
    expect(response.status).toBe(200);
    const event = (await response.json()) as LambdaFunctionURLEventWithIAMAuthorizer;
    expect(event.rawPath).toBe('/anything');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });
});
