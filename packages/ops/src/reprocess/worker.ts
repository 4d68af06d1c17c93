/*
 * A child process that hosts one Lambda handler module for `sluice-ops reprocess --local`: started
 * with the function's environment only (read when the module is imported, as on Lambda), it answers
 * invocations sent over IPC. Started by FunctionWorker.
 */
import { pathToFileURL } from 'node:url';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
interface Invoke {
  type: 'invoke';
  id: number;
  event: unknown;
  timeoutMs: number;
}

function context(functionName: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function main(): Promise<void> {
  const [entry, exportName = 'handler', functionName = 'batch'] = process.argv.slice(2);
  if (!entry || !process.send) {
    console.error('worker: usage (as a child with IPC): worker.ts <handler module> [export] [function name]');
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const handler = (mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName]) as
    | Handler
    | undefined;
  if (typeof handler !== 'function') throw new Error(`${entry} exports no function ${exportName}`);
  process.on('message', async (message: Invoke) => {
    if (message.type !== 'invoke') return;
    try {
      const result = await handler(message.event, context(functionName, message.timeoutMs));
      process.send?.({ type: 'result', id: message.id, result });
    } catch (error) {
      process.send?.({
        type: 'error',
        id: message.id,
        message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}

main().catch((error) => {
  console.error(error);
  process.send?.({
    type: 'failed',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
});
