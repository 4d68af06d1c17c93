import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws';

type Callback = (error?: unknown, result?: unknown) => void;

/**
 * A Lambda handler as services export it (async, or Node's legacy callback style), whatever event
 * type it declares: `never` accepts them all, and invokeHandler passes the event it was given.
 */
export type LambdaHandler = (event: never, context: Context, callback: Callback) => unknown;
type AnyEventHandler = (event: unknown, context: Context, callback: Callback) => unknown;

export interface FunctionSettings {
  functionName: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  region?: string;
}

/** Lambda's defaults when the topology leaves them out. */
export const DEFAULT_MEMORY_MB = 128;
export const DEFAULT_TIMEOUT_SECONDS = 3;

/** The invocation context Lambda passes as the handler's second argument. */
export function createLambdaContext(
  settings: FunctionSettings,
  awsRequestId: string = randomUUID(),
): Context {
  const timeoutMs = (settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const deadline = Date.now() + timeoutMs;
  const region = settings.region ?? LOCAL_REGION;
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const unsupported = () => {
    throw new Error('context.done/succeed/fail are not supported: return a value or a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryMb ?? DEFAULT_MEMORY_MB),
    awsRequestId,
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** The handler ran past its function timeout (Lambda reports "Task timed out after N seconds"). */
export class FunctionTimeoutError extends Error {
  constructor(timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Runs a handler once, as the Lambda Node.js runtime does: a returned promise settles the
 * invocation; a handler taking a third parameter may answer through the callback instead. After
 * timeoutSeconds the invocation fails with FunctionTimeoutError (the handler's own work cannot be
 * frozen the way Lambda freezes a sandbox: it is abandoned, and its outcome ignored).
 */
export async function invokeHandler(
  handler: LambdaHandler,
  event: unknown,
  context: Context,
  timeoutSeconds: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const invocation = new Promise<unknown>((resolve, reject) => {
    const callback: Callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = (handler as AnyEventHandler)(event, context, callback);
      if (returned && typeof (returned as PromiseLike<unknown>).then === 'function') {
        (returned as PromiseLike<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(timeoutSeconds)), timeoutSeconds * 1000);
  });
  // An abandoned invocation may still reject later: that must not become an unhandled rejection.
  invocation.catch(() => {});
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes one event to `<dir>/<time>-<function>-<requestId>.json` (SLUICE_CAPTURE_EVENTS), for
 * debugging and for checking events against AWS's own shapes.
 */
export async function captureEvent(
  dir: string,
  functionName: string,
  requestId: string,
  event: unknown,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${time}-${functionName}-${requestId}.json`);
  await writeFile(file, `${JSON.stringify(event, null, 2)}\n`);
  return file;
}

/** Resolves a handler from an imported module: `handler` export, or CommonJS `module.exports.handler`. */
export function handlerFromModule(mod: unknown, exportName = 'handler'): LambdaHandler | undefined {
  const candidates = [mod, (mod as { default?: unknown } | undefined)?.default];
  for (const candidate of candidates) {
    const handler = (candidate as Record<string, unknown> | undefined)?.[exportName];
    if (typeof handler === 'function') return handler as LambdaHandler;
  }
  return undefined;
}
