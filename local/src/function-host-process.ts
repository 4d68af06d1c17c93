import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { FunctionHostConfig, HostMessage, ParentMessage } from './host-protocol';
import { repoRoot } from './paths';
import { killProcessGroup, sleep, waitForClose, waitForExit } from './processes';

/**
 * The parent's side of one function host (src/function-host.ts): spawns it with the service's
 * environment only, pipes its output to the service's log file, waits for readiness over IPC,
 * restarts it (a bounded number of times) if it crashes, and stops it by PID.
 */

export interface FunctionHostProcessOptions {
  config: FunctionHostConfig;
  /** The service's whole environment (the host inherits nothing else but PATH, HOME and LANG). */
  env: Record<string, string>;
  logFile: string;
  /** Also copy the host's output to this process's stdout, prefixed with the service name. */
  verbose?: boolean;
  /** How long a host may take to import its handler and report ready. Default 60 s. */
  readyTimeoutMs?: number;
  /** Restarts allowed within restartWindowMs before giving up. Default 5 per minute. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long stop() waits for a clean exit before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /** Where restarts and give-ups are reported. */
  notify?: (message: string) => void;
}

/** A function host failed to start. */
export class FunctionHostStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionHostStartError';
  }
}

const HOST_SCRIPT = path.join(__dirname, 'function-host.ts');
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT'];

// Hosts still running when this process exits are killed, whatever the reason for exiting.
const runningHosts = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of runningHosts) killProcessGroup(pid, 'SIGKILL');
  });
}

function tail(file: string, bytes = 3000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '';
  }
}

export class FunctionHostProcess {
  private child: ChildProcess | undefined;
  private logStream: WriteStream | undefined;
  private stopping = false;
  private restartTimes: number[] = [];
  private boundPort: number | undefined;
  private readonly options: FunctionHostProcessOptions;

  constructor(options: FunctionHostProcessOptions) {
    this.options = options;
  }

  get service(): string {
    return this.options.config.service;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The HTTP port the host bound, for http- and function-url-triggered services. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Spawns the host and resolves once it reports ready. */
  async start(): Promise<void> {
    installExitHook();
    mkdirSync(path.dirname(this.options.logFile), { recursive: true });
    this.logStream ??= createWriteStream(this.options.logFile, { flags: 'a' });
    await this.spawnHost();
  }

  private write(chunk: Buffer | string): void {
    this.logStream?.write(chunk);
    if (this.options.verbose) {
      const lines = chunk.toString().replace(/\n$/, '').split('\n');
      process.stdout.write(`${lines.map((line) => `[${this.service}] ${line}`).join('\n')}\n`);
    }
  }

  private config(): FunctionHostConfig {
    const config = this.options.config;
    // A restarted HTTP host (API or function URL) keeps the port clients already know.
    if (
      (config.trigger.type === 'http' || config.trigger.type === 'function-url') &&
      this.boundPort !== undefined
    ) {
      return { ...config, trigger: { ...config.trigger, port: this.boundPort } };
    }
    return config;
  }

  private async spawnHost(): Promise<void> {
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, this.options.env);

    this.write(
      `--- ${new Date().toISOString()} starting ${this.service} (${this.options.config.entry}) ---\n`,
    );
    // Own process group: a terminal's Ctrl-C reaches the stack only, which stops hosts in order.
    const child = spawn(process.execPath, ['--import', 'tsx', HOST_SCRIPT], {
      cwd: repoRoot(),
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.write(chunk));
    child.on('error', (error) => this.write(`function host error: ${error.message}\n`));
    if (child.pid !== undefined) runningHosts.add(child.pid);

    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new FunctionHostStartError(`${this.service} did not report ready within ${this.readyTimeoutMs} ms`),
        );
      }, this.readyTimeoutMs);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (message: HostMessage) => {
        if (message.type === 'ready') {
          if (message.port !== undefined) this.boundPort = message.port;
          settle();
        } else if (message.type === 'failed') {
          settle(new FunctionHostStartError(`${this.service} failed to start: ${message.message}`));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        const output = tail(this.options.logFile);
        settle(
          new FunctionHostStartError(
            `${this.service} exited during startup (code ${code}, signal ${signal}). Log ${this.options.logFile}:\n${output}`,
          ),
        );
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });

    child.send({ type: 'start', config: this.config() } satisfies ParentMessage);
    try {
      await ready;
    } catch (error) {
      await this.kill(child);
      throw error;
    }
    child.once('exit', (code, signal) => this.onUnexpectedExit(child, code, signal));
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 60_000;
  }

  private onUnexpectedExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.pid !== undefined) runningHosts.delete(child.pid);
    if (this.stopping || child !== this.child) return;
    const notify = this.options.notify ?? (() => {});
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    const maxRestarts = this.options.maxRestarts ?? 5;
    this.restartTimes = this.restartTimes.filter((time) => now - time < window);
    if (this.restartTimes.length >= maxRestarts) {
      notify(
        `${this.service}: host exited (code ${code}, signal ${signal}); ${maxRestarts} restarts within ` +
          `${window / 1000} s, giving up. See ${this.options.logFile}`,
      );
      this.child = undefined;
      return;
    }
    this.restartTimes.push(now);
    const attempt = this.restartTimes.length;
    notify(
      `${this.service}: host exited (code ${code}, signal ${signal}); restarting (${attempt}/${maxRestarts}). ` +
        `See ${this.options.logFile}`,
    );
    void (async () => {
      await sleep(250 * attempt);
      if (this.stopping) return;
      try {
        await this.spawnHost();
        notify(`${this.service}: host restarted`);
      } catch (error) {
        // A failed restart counts as another crash.
        notify(`${this.service}: restart failed: ${(error as Error).message.split('\n')[0]}`);
        if (!this.stopping && this.child) this.onUnexpectedExit(this.child, null, null);
      }
    })();
  }

  private async kill(child: ChildProcess): Promise<void> {
    const pid = child.pid;
    if (pid === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      killProcessGroup(pid, 'SIGKILL');
      await waitForExit(child, 2000);
    }
    runningHosts.delete(pid);
  }

  /** Asks the host to stop (it finishes in-flight work briefly), then SIGKILLs it if it must. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage, () => {});
      else killProcessGroup(child.pid, 'SIGTERM');
      const exited = await waitForExit(child, this.options.stopTimeoutMs ?? 10_000);
      if (!exited) {
        this.write(`--- ${this.service} did not stop in time: killed ---\n`);
        await this.kill(child);
      }
      runningHosts.delete(child.pid);
      // Its last words (still in the pipes) belong in the log.
      await waitForClose(child, 1000);
    }
    await new Promise<void>((resolve) => {
      if (!this.logStream) return resolve();
      this.logStream.end(() => resolve());
      this.logStream = undefined;
    });
  }
}
