import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { topology } from '@sluice/contracts';
import type { Context } from '../context';
import { CliError, ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { InternalClient } from '../internal-client';
import { line, table } from '../io';
import { decodeToken } from '../token';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function internalClient(context: Context): InternalClient {
  const url = context.config.internalUrl;
  if (!url) {
    throw new CliError(
      'No internal endpoint known',
      ExitCode.usage,
      'Start the local stack (`npm start`), or set SLUICE_INTERNAL_URL to the ingest-internal function URL (with AWS credentials).',
    );
  }
  return new InternalClient(url.value, context.config.region.value);
}

/** Source queues that have a dead-letter queue, from the topology: processor-queue → processor-dlq. */
export function redrivableQueues(): { queue: string; deadLetterQueue: string }[] {
  return Object.entries(topology.queues).flatMap(([queue, spec]) =>
    spec.deadLetter ? [{ queue, deadLetterQueue: spec.deadLetter.queue }] : [],
  );
}

function resolveQueue(name: string): string {
  const queues = redrivableQueues();
  const match = queues.find(
    (q) => q.queue === name || q.deadLetterQueue === name || q.queue === `${name}-queue`,
  );
  if (!match) {
    throw new UsageError(
      `No queue "${name}" with a dead-letter queue; one of ${queues.map((q) => q.queue).join(', ')} or all`,
    );
  }
  return match.queue;
}

export async function reprocessCommand(
  context: Context,
  ids: string[],
  options: { tenant?: string },
): Promise<ExitCodeValue> {
  if (ids.length === 0) throw new UsageError('Name at least one asset id');
  const bad = ids.filter((id) => !UUID.test(id));
  if (bad.length) throw new UsageError(`Not an asset id (a lowercase UUID): ${bad.join(', ')}`);
  const tenantId =
    options.tenant ?? (context.config.token ? decodeToken(context.config.token.value)?.tenantId : undefined);
  if (!tenantId)
    throw new UsageError('Which tenant? Pass --tenant (or configure a token that carries tenant_id)');
  const client = internalClient(context);
  const results = [];
  for (const id of ids) results.push(await client.reprocess(tenantId, id));
  if (context.json)
    line(context.io.stdout, JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  else {
    line(
      context.io.stdout,
      table([['ASSET', 'FROM', 'KEY'], ...results.map((r) => [r.assetId, r.from, r.key])]),
    );
    line(context.io.stdout, '\nBack in the pipeline: follow with `sluice watch` or `sluice status <id>`.');
  }
  return ExitCode.ok;
}

export async function dlqRedriveCommand(
  context: Context,
  name: string,
  options: { max?: number },
): Promise<ExitCodeValue> {
  const queues = name === 'all' ? redrivableQueues().map((q) => q.queue) : [resolveQueue(name)];
  const client = internalClient(context);
  const results = [];
  for (const queue of queues) results.push(await client.redrive(queue, options.max));
  if (context.json) line(context.io.stdout, JSON.stringify(results, null, 2));
  else {
    line(
      context.io.stdout,
      table([
        ['QUEUE', 'DEAD-LETTER QUEUE', 'MOVED', 'LEFT'],
        ...results.map((r) => [r.queue, r.deadLetterQueue, String(r.moved), String(r.remaining)]),
      ]),
    );
  }
  return ExitCode.ok;
}

/** Each dead-letter queue's depth, read from SQS (the local stack's queues, or by name with a prefix on AWS). */
export async function dlqListCommand(
  context: Context,
  options: { namePrefix?: string },
): Promise<ExitCodeValue> {
  const { awsEndpoint, region, queues } = context.config;
  const local = awsEndpoint !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(awsEndpoint.value);
  const sqs = new SQSClient({
    region: region.value,
    ...(awsEndpoint ? { endpoint: awsEndpoint.value } : {}),
    ...(local ? { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } : {}),
    maxAttempts: 2,
  });
  try {
    const rows = [];
    for (const { queue, deadLetterQueue } of redrivableQueues()) {
      let url = options.namePrefix ? undefined : queues[deadLetterQueue]?.url;
      if (!url) {
        if (!options.namePrefix) {
          throw new CliError(
            'No queues known',
            ExitCode.usage,
            "Start the local stack (`npm start`), or pass --name-prefix with the deployment's queue name prefix.",
          );
        }
        url = (
          await sqs.send(new GetQueueUrlCommand({ QueueName: `${options.namePrefix}-${deadLetterQueue}` }))
        ).QueueUrl;
      }
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      rows.push({
        queue,
        deadLetterQueue,
        messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      });
    }
    if (context.json) line(context.io.stdout, JSON.stringify(rows, null, 2));
    else {
      line(
        context.io.stdout,
        table([
          ['DEAD-LETTER QUEUE', 'MESSAGES', 'IN FLIGHT', 'REDRIVE WITH'],
          ...rows.map((r) => [
            r.deadLetterQueue,
            String(r.messages),
            String(r.inFlight),
            `sluice dlq redrive ${r.queue}`,
          ]),
        ]),
      );
    }
    return rows.some((r) => r.messages > 0) ? ExitCode.failed : ExitCode.ok;
  } catch (error) {
    if (
      /ECONNREFUSED/.test(String((error as Error).message) + String((error as { cause?: unknown }).cause))
    ) {
      throw new CliError(
        `Cannot reach SQS at ${awsEndpoint?.value ?? 'AWS'}`,
        ExitCode.unreachable,
        'Is the local stack running? Start it with `npm start`.',
      );
    }
    throw error;
  } finally {
    sqs.destroy();
  }
}
