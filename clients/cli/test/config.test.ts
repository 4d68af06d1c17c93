import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../src/config';
import { runCli } from '../src/main';
import { decodeToken, isExpired, redactToken } from '../src/token';
import { captureIo, fakeJwt, tempDir } from './support';

describe('token', () => {
  it('reads claims and expiry without verifying, and redacts', () => {
    const token = fakeJwt({ sub: 'u1', tenant_id: 'acme', exp: 2_000_000_000 });
    expect(decodeToken(token)).toMatchObject({ subject: 'u1', tenantId: 'acme' });
    expect(decodeToken(token)?.expiresAt?.toISOString()).toBe('2033-05-18T03:33:20.000Z');
    expect(decodeToken('opaque')).toBeUndefined();
    expect(isExpired(decodeToken(fakeJwt({ exp: 1 })))).toBe(true);
    expect(isExpired(decodeToken(token))).toBe(false);
    expect(redactToken(token)).not.toContain(token.slice(12, -4));
  });
});

describe('resolveConfig', () => {
  it('takes flags over environment over the config file over a running local stack', () => {
    const dir = tempDir('config');
    const configFile = path.join(dir, 'config.json');
    const stateFile = path.join(dir, 'repo', '.sluice', 'local.json');
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(
      stateFile,
      JSON.stringify({
        pid: process.pid,
        apiUrl: 'http://127.0.0.1:3000',
        devToken: 'local-token',
        awsEndpoint: 'http://127.0.0.1:4566',
        topics: { 'pipeline-events': 'arn:aws:sns:us-east-1:1:events' },
      }),
    );
    const cwd = path.join(dir, 'repo', 'sub');
    mkdirSync(cwd);
    const env = { SLUICE_CONFIG: configFile };
    const local = resolveConfig({}, env, cwd);
    expect(local.apiUrl).toEqual({ value: 'http://127.0.0.1:3000', source: 'local stack' });
    expect(local.token).toEqual({ value: 'local-token', source: 'local stack' });
    expect(local.pipelineEventsTopicArn?.value).toBe('arn:aws:sns:us-east-1:1:events');

    writeFileSync(configFile, JSON.stringify({ apiUrl: 'https://api.example.com/', token: 'saved' }));
    expect(resolveConfig({}, env, cwd).apiUrl).toEqual({
      value: 'https://api.example.com',
      source: 'config file',
    });
    expect(resolveConfig({}, { ...env, SLUICE_TOKEN: 'from-env' }, cwd).token?.source).toBe('env');
    expect(resolveConfig({ token: 'flag' }, { ...env, SLUICE_TOKEN: 'from-env' }, cwd).token).toEqual({
      value: 'flag',
      source: 'flag',
    });
  });

  it('ignores the state file of a stack that is no longer running', () => {
    const dir = tempDir('stale');
    const stateFile = path.join(dir, '.sluice', 'local.json');
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify({ pid: 2 ** 22 + 12345, apiUrl: 'http://127.0.0.1:3000' }));
    expect(resolveConfig({}, { SLUICE_CONFIG: path.join(dir, 'none.json') }, dir).apiUrl).toBeUndefined();
  });
});

describe('sluice login / config / usage', () => {
  it('saves the token readable by its owner only, and shows where settings come from', async () => {
    const dir = tempDir('login');
    const configFile = path.join(dir, 'cfg', 'config.json');
    const token = fakeJwt({ sub: 'u1', tenant_id: 'acme', exp: 2_000_000_000 });
    const io = captureIo({ SLUICE_CONFIG: configFile, SLUICE_LOCAL_STATE: path.join(dir, 'none.json') });
    await expect(runCli(['login', '--token', token, '--api', 'https://api.example.com'], io)).resolves.toBe(
      0,
    );
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({
      apiUrl: 'https://api.example.com',
      token,
    });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    const shown = captureIo({ SLUICE_CONFIG: configFile, SLUICE_LOCAL_STATE: path.join(dir, 'none.json') });
    await expect(runCli(['config', '--json'], shown)).resolves.toBe(0);
    const data = JSON.parse(shown.out());
    expect(data.apiUrl).toEqual({ value: 'https://api.example.com', source: 'config file' });
    expect(data.token).toMatchObject({ source: 'config file', tenantId: 'acme', expired: false });
    expect(shown.out()).not.toContain(token);
  });

  it('refuses an expired token before calling the API, with a hint (exit 4)', async () => {
    const io = captureIo({
      SLUICE_API_URL: 'http://127.0.0.1:9',
      SLUICE_TOKEN: fakeJwt({ exp: 1_000_000 }),
      SLUICE_LOCAL_STATE: '/nonexistent',
      SLUICE_CONFIG: '/nonexistent/config.json',
    });
    await expect(runCli(['status', '5a784a27-8385-4c63-a406-58f738a3f900'], io)).resolves.toBe(4);
    expect(io.err()).toMatch(/The token \(from env\) expired at 1970-01-12T13:46:40.000Z/);
    expect(io.err()).toMatch(/sluice login/);
  });

  it('answers usage errors with exit 2 and a message', async () => {
    const env = { SLUICE_LOCAL_STATE: '/nonexistent', SLUICE_CONFIG: '/nonexistent/config.json' };
    const io = captureIo(env);
    await expect(runCli(['status', 'not-an-id'], io)).resolves.toBe(2);
    expect(io.err()).toContain('Not an asset id');
    const bogus = captureIo(env);
    await expect(runCli(['frobnicate'], bogus)).resolves.toBe(2);
    expect(bogus.err()).toContain("unknown command 'frobnicate'");
    const flags = captureIo(env);
    await expect(runCli(['upload', '.', '--concurrency', '0'], flags)).resolves.toBe(2);
    expect(flags.err()).toContain('--concurrency must be a whole number from 1 to 64');
    const nothing = captureIo(env);
    await expect(runCli(['status', '5a784a27-8385-4c63-a406-58f738a3f900'], nothing)).resolves.toBe(2);
    expect(nothing.err()).toContain('No API URL configured');
  });
});
