import type { JwtAuthorizerConfig } from './dev-issuer';
import type { RouteSettings } from './http-api';
import type { LocalWebConfig } from './local-web';
import type { Throttling } from './throttle';

/** What the stack and a function host (src/function-host.ts) say to each other over IPC. */

export interface SqsTriggerConfig {
  type: 'sqs';
  queueUrl: string;
  queueArn: string;
  batchSize?: number;
  maxBatchingWindowSeconds?: number;
  maximumConcurrency: number;
  retryDelaySeconds: number;
}

export interface HttpTriggerConfig {
  type: 'http';
  routes: string[];
  /** 0 for any free port; the host reports the one it bound. */
  port: number;
  authorizer: JwtAuthorizerConfig | false;
  throttling?: Throttling;
  routeSettings?: Record<string, RouteSettings>;
  /** Serve the web page and /local/* beside the API (src/local-web.ts). */
  web?: LocalWebConfig;
}

export interface FunctionUrlTriggerConfig {
  type: 'function-url';
  authType: 'AWS_IAM' | 'NONE';
  /** Default BUFFERED. */
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  /** 0 for any free port; the host reports the one it bound. */
  port: number;
}

export interface FunctionHostConfig {
  service: string;
  /** Absolute path of the handler module. */
  entry: string;
  /** Export holding the handler. Default `handler`. */
  handlerExport?: string;
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
  region: string;
  awsEndpoint: string;
  trigger: SqsTriggerConfig | HttpTriggerConfig | FunctionUrlTriggerConfig;
  captureEventsDir?: string;
  logLevel: string;
}

export type ParentMessage = { type: 'start'; config: FunctionHostConfig } | { type: 'stop' };
export type HostMessage =
  | { type: 'ready'; port?: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
