export interface RedriveOutcome {
  deadLetterQueue: string;
  moved: number;
  /** ApproximateNumberOfMessages left in the dead-letter queue. */
  remaining: number;
}

/** Moves messages from a queue's dead-letter queue (its redrive policy's target) back to it. */
export interface DeadLetterRedriver {
  redrive(queueUrl: string, maxMessages: number): Promise<RedriveOutcome>;
}
