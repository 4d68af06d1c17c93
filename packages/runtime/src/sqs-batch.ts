import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from './logger';

export type SqsRecordHandler = (record: SQSRecord) => Promise<void>;

export interface SqsBatchOptions {
  logger: Logger;
  /**
   * Records of one batch run one after another when false: right for CPU- and memory-heavy work
   * (image processing), where parallel records only contend for the same cores.
   */
  processInParallel?: boolean;
}

/**
 * A Lambda SQS handler with partial batch responses: a record whose handler throws is reported in
 * `batchItemFailures` and retried alone; the rest of its batch is deleted.
 */
export function sqsBatchHandler(
  recordHandler: SqsRecordHandler,
  { logger, processInParallel = true }: SqsBatchOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    logger.addContext(context);
    // One BatchProcessor per invocation: it keeps the batch's records and failures as state, and
    // two invocations at once in one process (the local runtime runs up to two batches per host)
    // would otherwise mix them up: a failed record reported as done (lost), or another batch's
    // record named in this one's batchItemFailures.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, { context, processInParallel });
  };
}
