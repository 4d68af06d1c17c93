/** @sluice/ops: the operations behind `sluice-ops` (and the `sluice` CLI), as a library. */

export {
  type AssetAudit,
  type AssetState,
  type AuditBuckets,
  type AuditFinding,
  type AuditInput,
  type AuditReport,
  type AuditStorage,
  auditPipeline,
  type DeadLetterEntry,
  type DeadLetterReader,
  FINDING_KINDS,
  type FindingKind,
  type QueueDepth,
  type QueueDepthReader,
  type SearchIndexEntry,
  type SearchIndexReader,
} from './audit/audit';
export { AUDIT_USAGE, formatAuditReport, runAudit } from './audit/command';
export {
  ObjectStoreAuditStorage,
  S3AuditStorage,
  SqliteSearchIndexReader,
  SqsDeadLetterReader,
  SqsQueueDepthReader,
} from './audit/sources';
export { runCli, USAGE, UsageError } from './cli';
export {
  type AwsClients,
  awsClientsFor,
  bucketOf,
  type Deployment,
  DeploymentError,
  findLocalDeploymentFile,
  loadDeployment,
  parseDeployment,
} from './deployment';
export {
  type DeadLetterPair,
  DlqError,
  DlqTool,
  deadLetterPairs,
  type MessageFilter,
  type MessageSummary,
  matches,
  resolveDeadLetter,
  summarize,
} from './dlq';
export {
  createReprocessJob,
  describeJob,
  type JobManifestSource,
  type ReprocessJobRequest,
  reprocessJobInput,
  waitForJob,
} from './reprocess/aws-job';
export { batchFunctionEnvironment } from './reprocess/function-env';
export { FunctionWorker } from './reprocess/function-worker';
export {
  invocationFor,
  type JobProgress,
  runLocalJob,
  type TaskReport,
  toCompletionReport,
} from './reprocess/local-job';
export {
  type LocalReprocessOptions,
  type LocalReprocessResult,
  reprocessLocally,
  SOURCE_BUCKET,
} from './reprocess/reprocess';
export {
  encodeManifestKey,
  listTasks,
  type TaskObject,
  type TaskSource,
  toCsvManifest,
} from './reprocess/tasks';
export { AssetNotFoundError, originalStatus, requestRestore } from './restore';
