/** A record left unprocessed because its invocation is about to time out: SQS redelivers it. */
export class DeadlineError extends Error {
  constructor(remainingMs: number, reserveMs: number) {
    super(
      `Only ${remainingMs} ms left in this invocation (${reserveMs} ms reserved per record): deferred for redelivery`,
    );
    this.name = 'DeadlineError';
  }
}

/**
 * Throws DeadlineError when fewer than `reserveMs` remain, so a batch's last records fail alone
 * (and come back) instead of the whole invocation timing out mid-image and every record of the
 * batch being retried.
 */
export function assertTimeLeft(
  context: { getRemainingTimeInMillis(): number } | undefined,
  reserveMs: number,
): void {
  if (!context) return;
  const remaining = context.getRemainingTimeInMillis();
  if (remaining < reserveMs) throw new DeadlineError(remaining, reserveMs);
}
