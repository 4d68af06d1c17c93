/** @sluice/local: the whole Sluice platform on one machine, against moto. */
export { createS3Client, createSnsClient, createSqsClient, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws';
export {
  createJwtVerifier,
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_TENANT_ID,
  DevIssuer,
  type DevTokenOptions,
  issueDevToken,
  type JwtAuthorizerConfig,
} from './dev-issuer';
export {
  FunctionHostProcess,
  type FunctionHostProcessOptions,
  FunctionHostStartError,
} from './function-host-process';
export {
  FUNCTION_URL_PAYLOAD_LIMIT_BYTES,
  type FunctionUrlOptions,
  type FunctionUrlServer,
  startFunctionUrl,
} from './function-url';
export type { FunctionHostConfig } from './host-protocol';
export {
  type HttpApiOptions,
  type HttpApiServer,
  mapResult,
  matchRoute,
  PAYLOAD_LIMIT_BYTES,
  parseRoute,
  type RouteSettings,
  startHttpApi,
  stringifyClaim,
} from './http-api';
export { createLambdaContext, FunctionTimeoutError, invokeHandler, type LambdaHandler } from './lambda';
export {
  createLocalWebHandler,
  type LocalWebConfig,
  type QueueDepth,
  queueDepths,
  type RequestInterceptor,
} from './local-web';
export {
  type AggregateOptions,
  aggregate,
  type MetricsSnapshot,
  type PipelineLogEntry,
  PipelineLogTailer,
  parsePipelineLine,
  type StageMetrics,
} from './log-metrics';
export {
  type FindMotoServerOptions,
  findFreePort,
  findMotoServer,
  MotoNotFoundError,
  type MotoServer,
  MotoStartError,
  type StartMotoOptions,
  startMoto,
} from './moto';
export { repoRoot, sluiceDir } from './paths';
export {
  DEFAULT_NAME_PREFIX,
  type ProvisionOptions,
  provision,
  type ResourceMap,
  resolveEnvironment,
} from './provision';
export {
  decodeS3EventKey,
  encodeS3EventKey,
  isS3EventNotification,
  isS3TestEvent,
  S3EventNormalizer,
} from './s3-event-normalizer';
export {
  createSigV4Verifier,
  type SignedRequest,
  type SignOptions,
  type SigV4Credentials,
  type SigV4Result,
  signedHeaders,
} from './sigv4';
export {
  failedRecordIds,
  InvalidBatchResponseError,
  type InvocationOutcome,
  SqsPoller,
  type SqsPollerOptions,
  toLambdaRecord,
} from './sqs-poller';
export {
  DEFAULT_WEB_ROOT,
  LOCAL_MAXIMUM_CONCURRENCY,
  type LocalStack,
  type RunningService,
  type StartStackOptions,
  startStack,
} from './stack';
export { RouteThrottle, type Throttling, TokenBucket } from './throttle';
export type { TopologyLike } from './topology';
