import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Io } from '../src/io';

export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

/** An Io whose streams are captured; the environment starts empty but for what a test gives. */
export function captureIo(env: NodeJS.ProcessEnv = {}, cwd = os.tmpdir()): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  return { stdout, stderr, env, cwd, out: () => out, err: () => err };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `sluice-cli-${prefix}-`));
}

/** An unsigned JWT-shaped token with these claims (the CLI only reads, the API verifies). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part(claims)}.c2ln`;
}
