import { Logger } from '@aws-lambda-powertools/logger';

export type { Logger };

/** One Powertools logger per service; POWERTOOLS_* environment settings still apply. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export type Outcome = 'succeeded' | 'rejected' | 'skipped' | 'failed';

/** The fields every pipeline log line carries: dashboards are queries over exactly these. */
export interface PipelineLogFields {
  assetId: string;
  stage: string;
  outcome: Outcome;
  durationMs: number;
  [key: string]: unknown;
}

export function logPipelineStep(logger: Logger, message: string, fields: PipelineLogFields): void {
  const entry = { ...fields, durationMs: Math.round(fields.durationMs * 100) / 100 };
  if (fields.outcome === 'failed') logger.error(message, entry);
  else if (fields.outcome === 'rejected') logger.warn(message, entry);
  else logger.info(message, entry);
}
