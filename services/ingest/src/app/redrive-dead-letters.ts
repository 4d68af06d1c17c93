import { assertValid, type RedriveResponse, validate } from '@sluice/contracts';
import { HttpError } from '../domain/http-error';
import type { DeadLetterRedriver } from '../ports/dead-letter-redriver';

export const DEFAULT_REDRIVE_MAX = 1000;

/** POST /internal/dlq/{queue}/redrive: the queue's dead letters back onto the queue, at most maxMessages. */
export async function redriveDeadLetters(
  queue: string,
  body: unknown,
  deps: { redriver: DeadLetterRedriver; queues: Readonly<Record<string, string>> },
): Promise<RedriveResponse> {
  const request = validate('redrive-request/v1', body ?? {});
  if (!request.ok) throw new HttpError(400, 'invalid-request', request.errors.join('; '), request.errors);
  const queueUrl = Object.hasOwn(deps.queues, queue) ? deps.queues[queue] : undefined;
  if (!queueUrl) {
    throw new HttpError(
      404,
      'unknown-queue',
      `No queue "${queue}"; known: ${Object.keys(deps.queues).join(', ')}`,
    );
  }
  const outcome = await deps.redriver.redrive(queueUrl, request.value.maxMessages ?? DEFAULT_REDRIVE_MAX);
  return assertValid('redrive-response/v1', { queue, ...outcome });
}
