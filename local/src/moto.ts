import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { killProcessGroup, waitForExit } from './processes';

export const MOTO_INSTALL_HINT = 'pip install "moto[server]"';

/** moto_server could not be found anywhere we looked. */
export class MotoNotFoundError extends Error {
  readonly searched: readonly string[];

  constructor(searched: readonly string[]) {
    super(
      `moto_server not found. Searched: ${searched.join('; ')}. ` +
        `Install it with: ${MOTO_INSTALL_HINT} (or point SLUICE_MOTO_SERVER at the executable).`,
    );
    this.name = 'MotoNotFoundError';
    this.searched = searched;
  }
}

/** moto_server started but did not become ready (or exited early). */
export class MotoStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoStartError';
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pyenvCandidates(versionsDir: string): string[] {
  try {
    return readdirSync(versionsDir)
      .sort()
      .reverse()
      .map((version) => path.join(versionsDir, version, 'bin', 'moto_server'));
  } catch {
    return [];
  }
}

export interface FindMotoServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Ask a login shell too (pyenv is often only set up there). Default true. */
  useLoginShell?: boolean;
  /** pyenv `versions` folders to look in. Default /root/.pyenv/versions and $HOME/.pyenv/versions. */
  pyenvVersionDirs?: string[];
}

/**
 * Locates moto_server: $SLUICE_MOTO_SERVER, then PATH, then a login shell's PATH, then pyenv's
 * version folders. Throws MotoNotFoundError saying where it looked and how to install it.
 */
export function findMotoServer(options: FindMotoServerOptions = {}): string {
  const env = options.env ?? process.env;
  const searched: string[] = [];

  const fromEnv = env.SLUICE_MOTO_SERVER?.trim();
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    searched.push(`SLUICE_MOTO_SERVER=${fromEnv} (not an executable)`);
  } else {
    searched.push('SLUICE_MOTO_SERVER (unset)');
  }

  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'moto_server');
    if (isExecutable(candidate)) return candidate;
  }
  searched.push('PATH');

  if (options.useLoginShell ?? true) {
    try {
      const output = execFileSync('bash', ['-lc', 'command -v moto_server'], {
        encoding: 'utf8',
        timeout: 5000,
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      // A login shell may print banners first: the answer is the last line.
      const candidate = output.trim().split('\n').pop()?.trim();
      if (candidate && isExecutable(candidate)) return candidate;
    } catch {
      // No bash, or moto_server not on the login shell's PATH either.
    }
    searched.push("login shell (bash -lc 'command -v moto_server')");
  }

  const versionDirs = options.pyenvVersionDirs ?? [
    '/root/.pyenv/versions',
    path.join(env.HOME ?? os.homedir(), '.pyenv', 'versions'),
  ];
  for (const versionsDir of [...new Set(versionDirs)]) {
    for (const candidate of pyenvCandidates(versionsDir)) {
      if (isExecutable(candidate)) return candidate;
    }
    searched.push(`${versionsDir}/*/bin/moto_server`);
  }

  throw new MotoNotFoundError(searched);
}

/** A free TCP port on 127.0.0.1 (free now; the caller binds it right away). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not allocate a free port'))));
    });
  });
}

export interface StartMotoOptions {
  /** Fixed port; default: a free one. */
  port?: number;
  /** Append moto's request log here; default: kept in memory (last few KB, for error messages). */
  logFile?: string;
  /** How long to wait for `GET /moto-api/` to answer. Default 20 s. */
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop. Default 3 s. */
  stopGraceMs?: number;
  /** Explicit moto_server path; default: findMotoServer(). */
  motoServerPath?: string;
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  pid: number;
  /** Stops moto (SIGTERM, then SIGKILL after the grace period). Safe to call twice. */
  stop(): Promise<void>;
}

// Every running moto, killed synchronously if this process exits without stopping it.
const runningMotos = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of runningMotos) killProcessGroup(pid, 'SIGKILL');
  });
}

/**
 * A tiny shell that outlives us by a moment: it blocks reading a pipe from this process, and when
 * the pipe closes (we exited, even by SIGKILL) it kills moto's process group. The 'exit' hook
 * cannot run on SIGKILL; this can.
 */
function spawnWatchdog(motoPid: number): ChildProcess {
  // `read` is a shell builtin: one process, nothing left behind when we kill it on a normal stop.
  const group = `-${motoPid}`;
  const script = `read -r _; kill -s TERM -- ${group} 2>/dev/null; sleep 2; kill -s KILL -- ${group} 2>/dev/null`;
  const watchdog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {});
  watchdog.unref();
  const stdin = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.on('error', () => {});
  stdin?.unref?.();
  return watchdog;
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MotoStartError(
        `moto_server exited during startup (code ${child.exitCode}, signal ${child.signalCode}). ${output()}`,
      );
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new MotoStartError(
    `moto_server did not answer GET ${endpoint}/moto-api/ within ${timeoutMs} ms. ${output()}`,
  );
}

async function startOnce(motoPath: string, port: number, options: StartMotoOptions): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  let logFd: number | undefined;
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    logFd = openSync(options.logFile, 'a');
  }
  let tail = '';
  // Own process group (detached): Ctrl-C in a terminal reaches only us, so we stop the function
  // hosts before moto; and the whole group can be killed at once.
  const child = spawn(motoPath, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  if (logFd !== undefined) closeSync(logFd);
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();

  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new MotoStartError(`Could not run ${motoPath}: ${error.message}`))),
  );
  spawnError.catch(() => {});
  const pid = child.pid;
  if (pid === undefined) return spawnError;

  runningMotos.add(pid);
  installExitHook();
  const watchdog = spawnWatchdog(pid);
  const output = () =>
    options.logFile ? `See ${options.logFile}.` : tail ? `Output:\n${tail.trim()}` : 'No output.';

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killProcessGroup(pid, 'SIGTERM');
        const exited = await waitForExit(child, options.stopGraceMs ?? 3000);
        if (!exited) {
          killProcessGroup(pid, 'SIGKILL');
          await waitForExit(child, 2000);
        }
      }
      runningMotos.delete(pid);
      if (watchdog.pid !== undefined) killProcessGroup(watchdog.pid, 'SIGKILL');
    })();
    return stopping;
  };

  try {
    await Promise.race([
      waitUntilReady(endpoint, child, options.readyTimeoutMs ?? 20_000, output),
      spawnError,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid, stop };
}

/** Starts moto_server on 127.0.0.1 and resolves once it answers. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const motoPath = options.motoServerPath ?? findMotoServer();
  // A free port can be taken between our probe and moto's bind: retry a few times on a new one.
  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await startOnce(motoPath, port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof MotoStartError) || !/exited during startup/.test(error.message)) throw error;
    }
  }
  throw lastError;
}
