import type { PipelineEvent } from '@sluice/contracts';
import type { Context } from '../context';
import { CliError, ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { line } from '../io';
import { describeEvent, PipelineEventStream } from '../pipeline-events';

export interface WatchOptions {
  type?: string[];
  asset?: string[];
  /** Stop after this many events. */
  count?: number;
  /** Stop after this many seconds. */
  timeout?: number;
  topicArn?: string;
}

const TYPES = ['asset.processed', 'asset.indexed', 'asset.archived', 'asset.rejected'];

/** Live pipeline events until Ctrl-C (or --count / --timeout). */
export async function watchCommand(
  context: Context,
  options: WatchOptions,
  signal?: AbortSignal,
): Promise<ExitCodeValue> {
  const types = options.type?.map((t) => (t.startsWith('asset.') ? t : `asset.${t}`));
  const unknown = types?.filter((t) => !TYPES.includes(t)) ?? [];
  if (unknown.length)
    throw new UsageError(`Unknown event type ${unknown.join(', ')}; one of ${TYPES.join(', ')}`);
  const topicArn = options.topicArn ?? context.config.pipelineEventsTopicArn?.value;
  if (!topicArn) {
    throw new CliError(
      'No pipeline-events topic known',
      ExitCode.usage,
      'Start the local stack (`npm start`), or pass --topic-arn (or set SLUICE_PIPELINE_EVENTS_TOPIC_ARN) with AWS credentials.',
    );
  }
  const stream = await PipelineEventStream.open({
    topicArn,
    region: context.config.region.value,
    endpoint: context.config.awsEndpoint?.value,
    types,
  });
  const out = context.io.stdout;
  if (!context.json)
    line(
      context.io.stderr,
      `Watching pipeline events${types ? ` (${types.join(', ')})` : ''}. Ctrl-C to stop.`,
    );
  const deadline =
    options.timeout !== undefined ? Date.now() + options.timeout * 1000 : Number.POSITIVE_INFINITY;
  const assets = options.asset ? new Set(options.asset) : undefined;
  let seen = 0;
  try {
    while (
      !signal?.aborted &&
      Date.now() < deadline &&
      (options.count === undefined || seen < options.count)
    ) {
      const wait = Math.max(0, Math.min(2, Math.floor((deadline - Date.now()) / 1000)));
      let events: PipelineEvent[];
      try {
        events = await stream.receive(Number.isFinite(wait) ? wait : 2, signal);
      } catch (error) {
        if (signal?.aborted) break;
        throw error;
      }
      for (const event of events) {
        if (assets && !assets.has(event.assetId)) continue;
        line(out, context.json ? JSON.stringify(event) : describeEvent(event));
        seen++;
        if (options.count !== undefined && seen >= options.count) break;
      }
    }
  } finally {
    await stream.close();
  }
  if (options.count !== undefined && seen < options.count) return ExitCode.timeout;
  return ExitCode.ok;
}
