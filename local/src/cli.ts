/*
 * `npm start`: the whole platform on this machine. Prints where everything is, then runs until
 * Ctrl-C or SIGTERM, and shuts down cleanly.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MotoNotFoundError } from './moto';
import { repoRoot } from './paths';
import { type LocalStack, startStack } from './stack';

const DEFAULT_CLI_API_PORT = 3000;

const usage = `Usage: npm run start -w @sluice/local -- [options]   (from the repo root: npm start -- -- [options])

  --api-port <port>   HTTP API port (default ${DEFAULT_CLI_API_PORT}; 0 for any free port)
  --services <a,b>    run only these services (default: all whose handler exists)
  --log-level <level> handlers' POWERTOOLS_LOG_LEVEL (default INFO)
  --verbose           also print handler logs here (they always go to .sluice/logs/)
  -h, --help          this text

Environment: SLUICE_CAPTURE_EVENTS=<folder> writes every Lambda event built, one JSON file each.`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      'api-port': { type: 'string' },
      services: { type: 'string' },
      'log-level': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const apiPort = values['api-port'] === undefined ? DEFAULT_CLI_API_PORT : Number(values['api-port']);
  if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) {
    throw new Error(`--api-port must be a port number, got "${values['api-port']}"`);
  }
  return {
    help: values.help,
    apiPort,
    services: values.services?.split(',').map((name) => name.trim()),
    logLevel: values['log-level'],
    verbose: values.verbose,
  };
}

const shown = (file: string) => {
  const relative = path.relative(repoRoot(), file);
  return relative.startsWith('..') ? file : relative;
};

function printEndpoints(stack: LocalStack): void {
  const lines: [string, string][] = [
    ['API', stack.apiUrl || '(no HTTP service running)'],
    ...(stack.webUrl ? [['Web', stack.webUrl] as [string, string]] : []),
    ...Object.entries(stack.functionUrls).map(([service, url]): [string, string] => [
      stack.services.find((s) => s.name === service)?.trigger.includes('through the edge')
        ? `Function URL (${service}, public as through CloudFront)`
        : `Function URL (${service}, SigV4 with the local credentials)`,
      url,
    ]),
    ['AWS endpoint', stack.awsEndpoint],
    ['Dev token', stack.devToken],
    [
      'Buckets',
      Object.entries(stack.resources.buckets)
        .map(([logical, name]) => `${logical}=${name}`)
        .join(', '),
    ],
    ['Topics', Object.values(stack.resources.topics).join(', ')],
    [
      'Queues',
      Object.values(stack.resources.queues)
        .map((queue) => queue.url)
        .join(', '),
    ],
    [
      'Services',
      stack.services.map((service) => `${service.name} (${service.trigger})`).join('; ') || '(none)',
    ],
  ];
  if (stack.skippedServices.length > 0) {
    lines.push([
      'Skipped',
      stack.skippedServices.map((service) => `${service.name} (no ${service.entry} yet)`).join('; '),
    ]);
  }
  if (stack.stateFile) lines.push(['State', shown(stack.stateFile)]);
  lines.push(['Logs', `${shown(stack.logsDir)}/`]);
  for (const [name, value] of lines) console.log(`${name}: ${value}`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.help) {
    console.log(usage);
    return;
  }
  // The SDK's "Node 22 needed from 2027" notice would repeat on every start; FIELD-NOTES has it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const captureDir = process.env.SLUICE_CAPTURE_EVENTS?.trim();

  let starting: Promise<LocalStack> | undefined;
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      console.error(`${signal} again: exiting now.`);
      process.exit(1);
    }
    shuttingDown = true;
    console.log(`\n${signal}: shutting down...`);
    // Mid-startup: let it finish, then undo it all.
    const stack = await starting?.catch(() => undefined);
    await stack?.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(signal));
  }

  console.log('Starting Sluice locally...');
  starting = startStack({
    apiPort: options.apiPort,
    services: options.services,
    logLevel: options.logLevel,
    verbose: options.verbose,
    // npm runs this in local/: a relative folder means relative to where npm was started.
    captureEventsDir: captureDir
      ? path.resolve(process.env.INIT_CWD ?? process.cwd(), captureDir)
      : undefined,
    notify: (message) => console.log(`[local] ${message}`),
  });
  const stack = await starting;
  if (shuttingDown) return;
  printEndpoints(stack);
  if (captureDir) console.log(`Capturing events: ${captureDir}`);
  console.log('Ready. Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  if (error instanceof MotoNotFoundError) console.error(error.message);
  else if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  } else if (/EADDRINUSE/.test(String((error as Error).message))) {
    console.error(
      `The API port is taken: pick another with --api-port.\n${(error as Error).message.split('\n')[0]}`,
    );
  } else console.error(error);
  process.exit(1);
});
