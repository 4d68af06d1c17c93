import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerAuditCommand } from './commands/audit';
import { configCommand, loginCommand, logoutCommand } from './commands/login';
import { dlqListCommand, dlqRedriveCommand, reprocessCommand } from './commands/ops';
import { searchCommand } from './commands/search';
import { statusCommand } from './commands/status';
import { uploadCommand } from './commands/upload';
import { watchCommand } from './commands/watch';
import { createContext } from './context';
import { CliError, ExitCode, toCliError } from './errors';
import { type Io, line, processIo } from './io';
import { MIB } from './upload/uploader';

const EXIT_CODES = `Exit codes:
  0  success
  1  something failed: an upload, a rejected file, a refused request
  2  usage error (bad flags or arguments, nothing configured)
  3  the API or the AWS endpoint is unreachable
  4  authentication: no token, an expired token, or a refused one
  5  not found
  6  timed out waiting for the pipeline

Configuration, first found wins: flags (--api, --token), SLUICE_API_URL / SLUICE_TOKEN, the file
written by \`sluice login\`, then a running local stack (.sluice/local.json, from \`npm start\`).`;

function int(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

function mebibytes(name: string, min: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a number of MiB, at least ${min}`);
    return Math.round(n * MIB);
  };
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').filter(Boolean),
];

export function buildProgram(io: Io, run: (code: Promise<number>) => void, signal?: AbortSignal): Command {
  const program = new Command('sluice')
    .description('Upload files to Sluice, follow them through the pipeline, and find them again.')
    .option('--api <url>', 'the Sluice API (default: SLUICE_API_URL, `sluice login`, or the local stack)')
    .option('--token <token>', 'bearer token (default: SLUICE_TOKEN, `sluice login`, or the local dev token)')
    .option('--json', 'machine-readable output on stdout', false)
    .addHelpText('after', `\n${EXIT_CODES}`)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const context = () => createContext(io, program.opts());

  program
    .command('upload')
    .description('upload files and folders (folders recursively), then wait for the pipeline and summarize')
    .argument('<paths...>', 'files or folders')
    .option('-c, --concurrency <n>', 'files uploaded at once', int('--concurrency', 1, 64), 4)
    .option(
      '--multipart-threshold <MiB>',
      'files this large or larger upload in parts',
      mebibytes('--multipart-threshold', 5),
      100 * MIB,
    )
    .option('--part-size <MiB>', 'part size for multipart uploads', mebibytes('--part-size', 5), 8 * MIB)
    .option(
      '--part-concurrency <n>',
      'parts of one file uploaded at once',
      int('--part-concurrency', 1, 16),
      4,
    )
    .option('--no-wait', 'do not wait for the pipeline to process the files')
    .option('--wait-timeout <seconds>', 'how long to wait for the pipeline', int('--wait-timeout', 1), 180)
    .option('--no-resume', 'do not use or update the resume journal')
    .option('--force', 'upload again files the journal says are uploaded', false)
    .option(
      '--journal <file>',
      'resume journal (default: $SLUICE_STATE_DIR or ~/.local/state/sluice/uploads.json)',
    )
    .option('--include-hidden', 'include dotfiles and dot-folders', false)
    .option('--no-progress', 'no progress bars or lines')
    .option('-q, --quiet', 'only the summary', false)
    .addOption(new Option('--retry-delay-ms <ms>').argParser(int('--retry-delay-ms', 0)).hideHelp())
    .action((paths: string[], options) => run(uploadCommand(context(), paths, options)));

  program
    .command('status')
    .description('where assets stand: each stage, rejection reasons, metadata and renditions')
    .argument('<assetIds...>')
    .option('--urls', "also print the renditions' short-lived URLs", false)
    .action((ids: string[], options) => run(statusCommand(context(), ids, options)));

  program
    .command('watch')
    .description('follow pipeline events live (processed, indexed, archived, rejected)')
    .option('-t, --type <types>', 'only these types, e.g. rejected,archived (repeatable)', collect)
    .option('-a, --asset <ids>', 'only these assets (repeatable)', collect)
    .option('-n, --count <n>', 'stop after this many events', int('--count', 1))
    .option('--timeout <seconds>', 'stop after this long', int('--timeout', 1))
    .option(
      '--topic-arn <arn>',
      'the pipeline-events topic (default: the local stack, or SLUICE_PIPELINE_EVENTS_TOPIC_ARN)',
    )
    .action((options) => run(watchCommand(context(), options, signal)));

  program
    .command('search')
    .description(
      'find assets by text, filters, or similarity to another asset (newest first without criteria)',
    )
    .argument('[words...]', 'free text: file name, tags, text extract, camera (all words, as prefixes)')
    .option('--kind <kinds>', 'image, text, document, archive, other (comma-separated or repeated)', collect)
    .option(
      '--mime <types>',
      'detected media types, e.g. image/jpeg or image/* (comma-separated or repeated)',
      collect,
    )
    .option('--taken-from <date>', 'taken on or after (EXIF, camera-local time)')
    .option('--taken-to <date>', 'taken on or before')
    .option('--created-from <date>', 'first indexed on or after (UTC)')
    .option('--created-to <date>', 'first indexed on or before')
    .option('--min-width <px>', 'at least this wide', int('--min-width', 1))
    .option('--max-width <px>', 'at most this wide', int('--max-width', 1))
    .option('--min-height <px>', 'at least this high', int('--min-height', 1))
    .option('--max-height <px>', 'at most this high', int('--max-height', 1))
    .option('--orientation <shape>', 'landscape, portrait or square')
    .option('--color <hex>', 'dominant color close to this, e.g. #3366ff')
    .option(
      '--color-tolerance <n>',
      'RGB distance allowed from --color (default 60)',
      int('--color-tolerance', 0, 442),
    )
    .option('--similar-to <assetId>', 'more like this asset')
    .option('--limit <n>', 'results per page (default 20)', int('--limit', 1, 100))
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .action((words: string[], options) => run(searchCommand(context(), words, options)));

  registerAuditCommand(program, io, run);

  program
    .command('reprocess')
    .description('run assets through the pipeline again (internal endpoint, IAM-signed)')
    .argument('<assetIds...>')
    .option('--tenant <tenantId>', "the assets' tenant (default: the token's tenant_id)")
    .action((ids: string[], options) => run(reprocessCommand(context(), ids, options)));

  const dlq = program.command('dlq').description('dead-letter queues: what waits there, and sending it back');
  dlq
    .command('list')
    .description('each dead-letter queue and how many messages wait in it (exit 1 when any does)')
    .option('--name-prefix <prefix>', "on AWS: the deployment's queue name prefix")
    .action((options) => run(dlqListCommand(context(), options)));
  dlq
    .command('redrive')
    .description('move dead letters back onto their queue (internal endpoint, IAM-signed)')
    .argument('<queue>', 'a queue with a DLQ (processor-queue, or processor), or all')
    .option('--max <n>', 'at most this many messages per queue (default 1000)', int('--max', 1, 10_000))
    .action((queue: string, options) => run(dlqRedriveCommand(context(), queue, options)));

  program
    .command('login')
    .description('save the API URL and/or a token for later commands')
    .option('--token <token>', 'bearer token (or SLUICE_TOKEN)')
    .option('--api <url>', 'the Sluice API')
    .action((options) => {
      // --token and --api are also global options: commander gives them to the program.
      const { token, api, json } = program.opts();
      run(
        loginCommand(createContext(io, { json }), { token: options.token ?? token, api: options.api ?? api }),
      );
    });

  program
    .command('logout')
    .description('forget the saved token')
    .action(() => run(logoutCommand(context())));

  program
    .command('config')
    .description('show the API, token and AWS settings in use, and where each comes from')
    .action(() => run(configCommand(context())));

  return program;
}

function report(io: Io, error: unknown, json: boolean): number {
  const mapped = toCliError(error);
  if (mapped instanceof CliError) {
    if (json) {
      line(
        io.stderr,
        JSON.stringify({
          error: { message: mapped.message, exitCode: mapped.exitCode, hint: mapped.hint ?? null },
        }),
      );
    } else {
      line(io.stderr, `sluice: ${mapped.message}`);
      if (mapped.hint) line(io.stderr, `  ${mapped.hint}`);
    }
    return mapped.exitCode;
  }
  line(io.stderr, `sluice: unexpected error: ${(mapped as Error)?.stack ?? String(mapped)}`);
  return ExitCode.failed;
}

/** Runs the CLI; resolves to the exit code (the bin sets process.exitCode with it). */
export async function runCli(argv: string[], io: Io = processIo(), signal?: AbortSignal): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(
    io,
    (code) => {
      pending = code;
    },
    signal,
  );
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!pending) return ExitCode.ok;
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return ExitCode.ok;
      }
      // Commander printed the message already.
      return error.code === 'commander.help' ? ExitCode.ok : ExitCode.usage;
    }
    return report(io, error, json);
  }
}
