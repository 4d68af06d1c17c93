/*
 * One service's function host: a child process per service (its environment isolated like a
 * Lambda's), started by the stack as `node --import tsx src/function-host.ts`. It receives its
 * configuration over IPC, imports the service's handler module and feeds it from an SQS poller
 * or the HTTP API, reports readiness over IPC, and exits when told to stop or when its parent
 * goes away.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSqsClient } from './aws';
import { startFunctionUrl } from './function-url';
import type { FunctionHostConfig, HostMessage, ParentMessage } from './host-protocol';
import { startHttpApi } from './http-api';
import { handlerFromModule } from './lambda';
import { createLocalWebHandler } from './local-web';
import { jsonLogger, type LocalLogger, type LogLevel } from './log';
import { installAwsLambdaGlobal } from './response-stream';
import { SqsPoller } from './sqs-poller';

const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function leveled(logger: LocalLogger, minimum: string): LocalLogger {
  const floor = Math.max(0, LEVELS.indexOf(minimum.toUpperCase() as LogLevel));
  return (level, message, fields) => {
    if (LEVELS.indexOf(level) >= floor) logger(level, message, fields);
  };
}

/** Sends to the parent; resolves once the message is on its way (before an exit can drop it). */
function send(message: HostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function run(config: FunctionHostConfig): Promise<() => Promise<void>> {
  const log = leveled(jsonLogger('sluice-local'), config.logLevel);
  // As the Lambda Node.js runtime does before loading a handler: awslambda.streamifyResponse & co.
  installAwsLambdaGlobal();
  const mod: unknown = await import(pathToFileURL(path.resolve(config.entry)).href);
  const exportName = config.handlerExport ?? 'handler';
  const handler = handlerFromModule(mod, exportName);
  if (!handler) throw new Error(`${config.entry} exports no function named "${exportName}"`);
  const settings = {
    functionName: config.functionName,
    memoryMb: config.memoryMb,
    timeoutSeconds: config.timeoutSeconds,
    region: config.region,
  };

  const trigger = config.trigger;
  if (trigger.type === 'http') {
    const api = await startHttpApi({
      ...settings,
      handler,
      routes: trigger.routes,
      authorizer: trigger.authorizer,
      throttling: trigger.throttling,
      routeSettings: trigger.routeSettings,
      intercept: trigger.web
        ? createLocalWebHandler(
            trigger.web,
            createSqsClient({ endpoint: config.awsEndpoint, region: config.region }),
          )
        : undefined,
      port: trigger.port,
      captureEventsDir: config.captureEventsDir,
      logger: log,
    });
    await send({ type: 'ready', port: api.port });
    log('INFO', 'HTTP API listening', { url: api.url, routes: trigger.routes });
    return () => api.close();
  }

  if (trigger.type === 'function-url') {
    const url = await startFunctionUrl({
      ...settings,
      handler,
      authType: trigger.authType,
      invokeMode: trigger.invokeMode,
      port: trigger.port,
      captureEventsDir: config.captureEventsDir,
      logger: log,
    });
    await send({ type: 'ready', port: url.port });
    log('INFO', 'Function URL listening', {
      url: url.url,
      authType: trigger.authType,
      invokeMode: trigger.invokeMode ?? 'BUFFERED',
    });
    return () => url.close();
  }

  const sqs = createSqsClient({ endpoint: config.awsEndpoint, region: config.region });
  const poller = new SqsPoller({
    ...settings,
    sqs,
    handler,
    queueUrl: trigger.queueUrl,
    queueArn: trigger.queueArn,
    batchSize: trigger.batchSize,
    maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
    maximumConcurrency: trigger.maximumConcurrency,
    retryDelaySeconds: trigger.retryDelaySeconds,
    captureEventsDir: config.captureEventsDir,
    logger: log,
  });
  await poller.start();
  await send({ type: 'ready' });
  log('INFO', 'Polling', { queue: trigger.queueUrl, maximumConcurrency: trigger.maximumConcurrency });
  return async () => {
    // Finish an in-flight batch if it is quick; the stack kills hosts that take over 10 s.
    await poller.stop(Math.min(config.timeoutSeconds * 1000 + 2000, 8000));
    sqs.destroy();
  };
}

function main(): void {
  if (!process.send) {
    console.error('function-host runs as a child of the local stack (it needs an IPC channel).');
    process.exit(2);
  }
  let stop: (() => Promise<void>) | undefined;
  let exiting = false;

  const shutdown = async (code: number) => {
    if (exiting) return;
    exiting = true;
    // Never hang on the way out: a stuck handler must not keep the host alive.
    setTimeout(() => process.exit(code), 15_000).unref();
    try {
      await stop?.();
    } catch (error) {
      console.error('function-host: stop failed', error);
    }
    await send({ type: 'stopped' });
    if (process.connected) process.disconnect?.();
    process.exit(code);
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void shutdown(0);
    else if (message.type === 'start' && !stop) {
      run(message.config).then(
        (stopFn) => {
          stop = stopFn;
          if (exiting) void stopFn();
        },
        async (error: unknown) => {
          console.error(error);
          await send({
            type: 'failed',
            message: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
          process.exit(1);
        },
      );
    }
  });
  // Parent gone (even killed): go too.
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  // As on Lambda, an uncaught error or unhandled rejection ends this runtime; the stack restarts it.
  process.on('uncaughtException', (error) => {
    console.error('function-host: uncaught exception', error);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    console.error('function-host: unhandled rejection', reason);
    process.exit(1);
  });
}

main();
