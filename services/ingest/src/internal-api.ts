import type { Logger } from '@sluice/runtime';
import { redriveDeadLetters } from './app/redrive-dead-letters';
import { reprocessAsset } from './app/reprocess-asset';
import { HttpError } from './domain/http-error';
import { type HttpEvent, type HttpResult, json, jsonBody, respond } from './http';
import type { AssetOriginals } from './ports/asset-originals';
import type { DeadLetterRedriver } from './ports/dead-letter-redriver';

export interface InternalApiDeps {
  logger: Logger;
  originals: AssetOriginals;
  redriver: DeadLetterRedriver;
  /** Logical queue name → URL, for the queues whose DLQs may be redriven. */
  redriveQueues: Readonly<Record<string, string>>;
}

/**
 * The internal endpoints, behind a function URL with AWS_IAM auth (no routes: matched here on
 * method and path):
 *
 *   POST /internal/reprocess               {tenantId, assetId}     run an asset through the pipeline again
 *   POST /internal/dlq/{queue}/redrive     {maxMessages?}          dead letters back onto their queue
 */
export function createInternalApi(deps: InternalApiDeps): (event: HttpEvent) => Promise<HttpResult> {
  return (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath.replace(/\/+$/, '') || '/';
    const caller = event.requestContext.authorizer?.iam?.userArn;
    return respond(
      deps.logger,
      `${method} ${path}`,
      async () => {
        // The function URL's AWS_IAM auth already refused unsigned callers; a URL without it must not serve.
        if (!event.requestContext.authorizer?.iam) {
          throw new HttpError(403, 'forbidden', 'Internal endpoints need an IAM-signed request');
        }
        if (method === 'POST' && path === '/internal/reprocess') {
          return json(202, await reprocessAsset(jsonBody(event), deps.originals));
        }
        const redrive = /^\/internal\/dlq\/([^/]+)\/redrive$/.exec(path);
        if (method === 'POST' && redrive?.[1]) {
          const queue = decodeURIComponent(redrive[1]);
          return json(
            200,
            await redriveDeadLetters(queue, jsonBody(event, true), {
              redriver: deps.redriver,
              queues: deps.redriveQueues,
            }),
          );
        }
        throw new HttpError(404, 'not-found', `No internal endpoint ${method} ${path}`);
      },
      caller ? { caller } : {},
    );
  };
}
