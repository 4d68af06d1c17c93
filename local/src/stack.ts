import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createS3Client, LOCAL_CREDENTIALS, LOCAL_REGION } from './aws';
import { DEV_TENANT_ID, DevIssuer } from './dev-issuer';
import { FunctionHostProcess } from './function-host-process';
import type { FunctionHostConfig } from './host-protocol';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from './lambda';
import { allowBrowserUploads } from './local-web';
import { type MotoServer, startMoto } from './moto';
import { repoRoot, sluiceDir } from './paths';
import { DEFAULT_NAME_PREFIX, provision, type ResourceMap, resolveEnvironment } from './provision';
import { defaultTopology, type ServiceSpec, serviceSpec, type TopologyLike } from './topology';

/** Batches in flight per SQS-triggered service, at most, whatever the topology says (one laptop). */
export const LOCAL_MAXIMUM_CONCURRENCY = 2;
export const DEFAULT_API_PORT = 0;
/** Where `npm run build -w @sluice/web` writes the page. */
export const DEFAULT_WEB_ROOT = 'clients/web/dist';

function tokenExpiry(token: string): string | undefined {
  try {
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).exp;
    return typeof exp === 'number' ? new Date(exp * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

export interface StartStackOptions {
  /** Services to run; default all in the topology (those whose handler module exists yet). */
  services?: string[];
  /** The HTTP API's port; default any free one. */
  apiPort?: number;
  /** Physical names are `${namePrefix}-${logical}`. Default `sluice-local`. */
  namePrefix?: string;
  /** POWERTOOLS_LOG_LEVEL for the handlers (and the hosts' own logs). Default INFO. */
  logLevel?: string;
  /** Write every Lambda event built to this folder. Default $SLUICE_CAPTURE_EVENTS, if set. */
  captureEventsDir?: string;
  /** Delay before a failed SQS record is retried. Default 1 s. */
  retryDelaySeconds?: number;
  /** Where to write endpoints, token and resource names; default `.sluice/local.json`; false: nowhere. */
  stateFile?: string | false;
  /** Handler modules to use instead of the topology's `entry` (service → path, absolute or repo-relative). */
  entries?: Record<string, string>;
  /** Local cap on each SQS service's maximumConcurrency. Default 2. */
  maximumConcurrency?: number;
  /** Default the topology in @sluice/contracts. */
  topology?: TopologyLike;
  /** Folder for the per-service logs and moto's. Default `.sluice/logs`. */
  logsDir?: string;
  /** Dev issuer keys. Default `.sluice/dev-keys.json`. */
  keysFile?: string;
  /** Also copy handler output to the console. */
  verbose?: boolean;
  /**
   * The built web page served at `/` of the HTTP API, with `/local/metrics` and `/local/dev-token`
   * (src/local-web.ts). Default `clients/web/dist`; false: neither.
   */
  webRoot?: string | false;
  /** Progress and warnings (skipped services, host restarts). Default: nothing. */
  notify?: (message: string) => void;
  /**
   * The AWS endpoint the function hosts use (handlers through AWS_ENDPOINT_URL, and the SQS
   * pollers) instead of moto's: given moto's endpoint, answers another, e.g. a fault-injecting
   * proxy in front of it. Provisioning and the stack's own calls still go to moto directly.
   */
  serviceEndpoint?: (motoEndpoint: string) => string | Promise<string>;
}

export interface RunningService {
  name: string;
  trigger: string;
  entry: string;
  pid: number | undefined;
  logFile: string;
}

export interface LocalStack {
  awsEndpoint: string;
  motoPid: number;
  /** The HTTP API (`http://127.0.0.1:PORT`); empty when no http-triggered service runs. */
  apiUrl: string;
  /** Each function-URL service's URL (`http://127.0.0.1:PORT`), by service name. */
  functionUrls: Record<string, string>;
  /** The web page (`${apiUrl}/`), when the HTTP API serves it; empty otherwise. */
  webUrl: string;
  /** A dev token (12 h) the HTTP API accepts. */
  devToken: string;
  resources: ResourceMap;
  services: RunningService[];
  /** Services left out because their handler module does not exist (yet). */
  skippedServices: { name: string; entry: string }[];
  stateFile: string | undefined;
  logsDir: string;
  /** The complete environment a service's handler runs with. */
  env(service: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Environment a Lambda function gets from the platform, plus the local endpoint settings. */
function runtimeEnvironment(
  service: string,
  spec: ServiceSpec,
  awsEndpoint: string,
  logLevel: string,
  dataDir: string,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: awsEndpoint,
    // Local state of the stack's services (the search index file), emptied with moto's at start.
    SLUICE_DATA_DIR: dataDir,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    SLUICE_S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_SERVICE_NAME: service,
    POWERTOOLS_LOG_LEVEL: logLevel,
    AWS_LAMBDA_FUNCTION_NAME: service,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb ?? DEFAULT_MEMORY_MB),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${service}`,
    TZ: 'UTC',
    // Lambda runs Node 22+, where the SDK's Node-20 deprecation notice never shows; keep logs JSON.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function writeState(file: string, state: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
}

function removeStateIfOurs(file: string): void {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
    if (state.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours to judge.
  }
}

/**
 * The whole platform on one machine: moto, every resource of the topology, and a function host per
 * service (SQS poller or HTTP API in front of its handler). stop() undoes it all, by PID.
 */
export async function startStack(options: StartStackOptions = {}): Promise<LocalStack> {
  const topology = options.topology ?? defaultTopology;
  const notify = options.notify ?? (() => {});
  const logLevel = (options.logLevel ?? 'INFO').toUpperCase();
  const logsDir = options.logsDir ?? path.join(sluiceDir(), 'logs');
  const stateFile =
    options.stateFile === false ? undefined : (options.stateFile ?? path.join(sluiceDir(), 'local.json'));
  const namePrefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  const captureEventsDir =
    options.captureEventsDir ?? (process.env.SLUICE_CAPTURE_EVENTS?.trim() || undefined);

  // Which services, and where their handlers are.
  const requested = options.services;
  const selected = requested ?? Object.keys(topology.services);
  const plan: { name: string; spec: ServiceSpec; entry: string }[] = [];
  const skippedServices: { name: string; entry: string }[] = [];
  for (const name of selected) {
    const spec = serviceSpec(topology, name);
    const entry = path.resolve(repoRoot(), options.entries?.[name] ?? spec.entry);
    if (existsSync(entry)) plan.push({ name, spec, entry });
    else if (requested) throw new Error(`Service "${name}": handler module ${entry} does not exist`);
    else {
      skippedServices.push({ name, entry: path.relative(repoRoot(), entry) });
      notify(`${name}: skipped, ${path.relative(repoRoot(), entry)} does not exist yet`);
    }
  }
  const httpServices = plan.filter((service) => service.spec.trigger.type === 'http');
  if (httpServices.length > 1) {
    throw new Error(
      `One HTTP API service per local stack; got ${httpServices.map((s) => s.name).join(', ')}`,
    );
  }

  const issuer = await DevIssuer.load({ keysFile: options.keysFile });
  const devToken = await issuer.issueToken();

  // Per stack, like moto's state: a fresh folder at start, removed at stop.
  const dataDir = path.join(sluiceDir(), 'data', namePrefix);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const moto: MotoServer = await startMoto({ logFile: path.join(logsDir, 'moto.log') });
  const hosts: FunctionHostProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(hosts.map((host) => host.stop()));
      await moto.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (stateFile) removeStateIfOurs(stateFile);
    })();
    return stopped;
  };

  try {
    notify(`moto listening on ${moto.endpoint}`);
    const resources = await provision({ endpoint: moto.endpoint, namePrefix, topology });
    const ingestBucket = resources.buckets.ingest;
    if (options.webRoot !== false && ingestBucket) {
      const s3 = createS3Client({ endpoint: moto.endpoint });
      await allowBrowserUploads(s3, ingestBucket).finally(() => s3.destroy());
    }
    const serviceEndpoint = options.serviceEndpoint
      ? await options.serviceEndpoint(moto.endpoint)
      : moto.endpoint;
    const env = (service: string): Record<string, string> => ({
      ...resolveEnvironment(service, resources, topology),
      ...runtimeEnvironment(service, serviceSpec(topology, service), serviceEndpoint, logLevel, dataDir),
    });

    for (const { name, spec, entry } of plan) {
      const trigger = spec.trigger;
      let hostTrigger: FunctionHostConfig['trigger'];
      if (trigger.type === 'sqs') {
        const queue = trigger.queue ? resources.queues[trigger.queue] : undefined;
        if (!queue)
          throw new Error(`Service "${name}": trigger queue "${trigger.queue}" is not in the topology`);
        hostTrigger = {
          type: 'sqs',
          queueUrl: queue.url,
          queueArn: queue.arn,
          batchSize: trigger.batchSize,
          maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
          maximumConcurrency: Math.min(
            trigger.maximumConcurrency ?? LOCAL_MAXIMUM_CONCURRENCY,
            options.maximumConcurrency ?? LOCAL_MAXIMUM_CONCURRENCY,
          ),
          retryDelaySeconds: options.retryDelaySeconds ?? 1,
        };
      } else if (trigger.type === 'http') {
        hostTrigger = {
          type: 'http',
          routes: trigger.routes ?? [],
          port: options.apiPort ?? DEFAULT_API_PORT,
          authorizer: issuer.authorizerConfig,
          throttling: trigger.throttling,
          routeSettings: trigger.routeSettings,
          ...(options.webRoot === false
            ? {}
            : {
                web: {
                  webRoot: path.resolve(repoRoot(), options.webRoot ?? DEFAULT_WEB_ROOT),
                  logsDir,
                  queues: Object.fromEntries(
                    Object.entries(resources.queues).map(([q, { url }]) => [q, url]),
                  ),
                  deadLetterQueues: Object.values(topology.queues).flatMap((q) =>
                    q.deadLetter ? [q.deadLetter.queue] : [],
                  ),
                  devToken,
                  devTokenExpiresAt: tokenExpiry(devToken),
                  tenantId: DEV_TENANT_ID,
                },
              }),
        };
      } else if (trigger.type === 'function-url') {
        hostTrigger = {
          type: 'function-url',
          // Behind the edge, CloudFront signs for the viewers; locally viewers call the URL directly.
          authType: trigger.edge ? 'NONE' : (trigger.authType ?? 'AWS_IAM'),
          invokeMode: trigger.invokeMode,
          port: 0,
        };
      } else {
        throw new Error(`Service "${name}": trigger type "${trigger.type}" is not supported locally`);
      }
      hosts.push(
        new FunctionHostProcess({
          config: {
            service: name,
            entry,
            functionName: name,
            memoryMb: spec.memoryMb ?? DEFAULT_MEMORY_MB,
            timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
            region: LOCAL_REGION,
            awsEndpoint: serviceEndpoint,
            trigger: hostTrigger,
            captureEventsDir,
            logLevel,
          },
          env: env(name),
          logFile: path.join(logsDir, `${name}.log`),
          verbose: options.verbose,
          notify,
        }),
      );
    }
    await Promise.all(hosts.map((host) => host.start()));

    const httpIndex = plan.findIndex((service) => service.spec.trigger.type === 'http');
    const httpHost = httpIndex >= 0 ? hosts[httpIndex] : undefined;
    const apiUrl = httpHost?.port !== undefined ? `http://127.0.0.1:${httpHost.port}` : '';
    const webUrl = apiUrl && options.webRoot !== false ? `${apiUrl}/` : '';
    const functionUrls: Record<string, string> = {};
    plan.forEach(({ name, spec }, index) => {
      const port = hosts[index]?.port;
      if (spec.trigger.type === 'function-url' && port !== undefined)
        functionUrls[name] = `http://127.0.0.1:${port}`;
    });
    const services: RunningService[] = plan.map(({ name, spec, entry }, index) => ({
      name,
      trigger:
        spec.trigger.type === 'sqs'
          ? `sqs ${spec.trigger.queue}`
          : spec.trigger.type === 'function-url'
            ? spec.trigger.edge
              ? `function-url, public through the edge (${spec.trigger.edge.pathPatterns.join(', ')})${spec.trigger.invokeMode === 'RESPONSE_STREAM' ? ', streaming' : ''}`
              : `function-url ${spec.trigger.authType ?? 'AWS_IAM'}`
            : `http ${(spec.trigger.routes ?? []).join(', ')}`,
      entry: path.relative(repoRoot(), entry),
      // The host's current process: a host restarted after a crash has a new one.
      get pid() {
        return hosts[index]?.pid;
      },
      logFile: path.join(logsDir, `${name}.log`),
    }));

    if (stateFile) {
      writeState(stateFile, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        awsEndpoint: moto.endpoint,
        region: LOCAL_REGION,
        apiUrl: apiUrl || null,
        webUrl: webUrl || null,
        functionUrls,
        devToken,
        namePrefix,
        buckets: resources.buckets,
        topics: resources.topics,
        queues: resources.queues,
        services: services.map(({ pid: _pid, ...service }) => service),
        skippedServices,
        logsDir,
      });
    }

    return {
      awsEndpoint: moto.endpoint,
      motoPid: moto.pid,
      apiUrl,
      webUrl,
      functionUrls,
      devToken,
      resources,
      services,
      skippedServices,
      stateFile,
      logsDir,
      env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
