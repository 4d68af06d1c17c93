import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const WORKER = path.join(__dirname, 'worker.ts');

export interface FunctionWorkerOptions {
  /** The handler module (absolute path). */
  entry: string;
  exportName?: string;
  functionName?: string;
  /** The function's whole environment: the worker inherits nothing else but PATH, HOME and TMPDIR. */
  env: Record<string, string>;
  /** Per-invocation limit, as the function's timeout. Default 300 s. */
  timeoutMs?: number;
  /** How long the module may take to import. Default 60 s. */
  readyTimeoutMs?: number;
  /** The worker's output (its structured logs) goes here. Default: this process's stderr. */
  output?: NodeJS.WritableStream;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string };

/**
 * One Lambda handler in its own Node process (tsx), invoked like Lambda invokes it: the local stand-in
 * for the function S3 Batch Operations calls. stop() ends it by PID.
 */
export class FunctionWorker {
  private child: ChildProcess | undefined;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  private constructor(private readonly options: FunctionWorkerOptions) {}

  static async start(options: FunctionWorkerOptions): Promise<FunctionWorker> {
    const worker = new FunctionWorker(options);
    await worker.spawn();
    return worker;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): Promise<void> {
    const inherited = Object.fromEntries(
      ['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((k) =>
        process.env[k] ? [[k, process.env[k] as string]] : [],
      ),
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        WORKER,
        this.options.entry,
        this.options.exportName ?? 'handler',
        this.options.functionName ?? 'batch',
      ],
      {
        // tsx is resolved from this package (cwd), whatever the caller's working directory.
        cwd: path.join(__dirname, '..', '..'),
        env: { ...inherited, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...this.options.env },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    this.child = child;
    const output = this.options.output ?? process.stderr;
    child.stdout?.on('data', (chunk: Buffer) => output.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.write(chunk));
    child.on('message', (message: WorkerMessage) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.type === 'result') call.resolve(message.result);
      else call.reject(new Error(message.message));
    });
    child.on('exit', (code, signal) => {
      for (const [id, call] of this.pending) {
        clearTimeout(call.timer);
        call.reject(new Error(`the function's process exited (${signal ?? code}) during invocation ${id}`));
      }
      this.pending.clear();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`${this.options.entry} did not load within ${this.options.readyTimeoutMs ?? 60_000} ms`),
        );
      }, this.options.readyTimeoutMs ?? 60_000);
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve();
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${this.options.entry} failed to load: ${message.message}`));
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`${this.options.entry}: the function's process exited (${code}) before it was ready`),
        );
      });
    });
  }

  invoke(event: unknown): Promise<unknown> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error('the function worker is not running'));
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 300_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ type: 'invoke', id, event, timeoutMs });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
