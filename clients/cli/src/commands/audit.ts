import { runAudit } from '@sluice/ops';
import { type Command, InvalidArgumentError } from 'commander';
import type { Io } from '../io';

/**
 * `sluice audit`: the operations audit of @sluice/ops (buckets, search index and DLQs reconciled
 * asset by asset). Works against the local stack (.sluice/local.json) or AWS (--deployment, or
 * flags and environment variables). Exit 0 without problems, 1 with; the last line is `problems: <n>`.
 */
export function registerAuditCommand(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  const seconds = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--grace must be a number of seconds');
    return value;
  };
  program
    .command('audit')
    .description(
      'reconcile the ingest, processed and archive buckets, the search index and the DLQs; report every stuck, orphaned or inconsistent asset',
    )
    .option('--deployment <file>', 'resource names (default $SLUICE_DEPLOYMENT, else .sluice/local.json)')
    .option('--endpoint <url>', 'AWS endpoint (default $AWS_ENDPOINT_URL, or the local stack)')
    .option('--region <region>', 'AWS region (default $AWS_REGION, or the deployment)')
    .option('--ingest-bucket <name>', 'default $SLUICE_INGEST_BUCKET, or the deployment')
    .option('--processed-bucket <name>', 'default $SLUICE_PROCESSED_BUCKET, or the deployment')
    .option('--archive-bucket <name>', 'default $SLUICE_ARCHIVE_BUCKET, or the deployment')
    .option('--search-index <file>', "the SQLite search index (default: the local stack's)")
    .option('--no-search-index', 'do not read the search index')
    .option('--grace <seconds>', 'work younger than this is in flight, not a problem (default 900)', seconds)
    .option('--no-verify', "skip comparing each archived original's SHA-256 with its manifest")
    .option('-v, --verbose', 'also list what is still in flight', false)
    .action((options) => {
      const args: string[] = [];
      const flag = (name: string, value: unknown) => {
        if (typeof value === 'string') args.push(`--${name}`, value);
      };
      flag('deployment', options.deployment);
      flag('endpoint', options.endpoint);
      flag('region', options.region);
      flag('ingest-bucket', options.ingestBucket);
      flag('processed-bucket', options.processedBucket);
      flag('archive-bucket', options.archiveBucket);
      flag('search-index', options.searchIndex);
      if (options.searchIndex === false) args.push('--no-search-index');
      flag('grace', options.grace);
      if (options.verify === false) args.push('--no-verify');
      if (options.verbose) args.push('--verbose');
      // --json is the program's global option.
      if (program.opts().json) args.push('--json');
      run(runAudit(args, io));
    });
}
