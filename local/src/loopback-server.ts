import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalLogger } from './log';

/** An HTTP server of the local runtime, on 127.0.0.1 only. */
export interface LoopbackServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeLoopbackOptions {
  /** 0 or absent: any free port. */
  port?: number;
  log: LocalLogger;
  /** Answers a request whose handling threw before any header went out (a 500 in the emulated service's shape). */
  onError(response: ServerResponse): void;
}

/** Serves `handle` on loopback; a failure is logged and answered once, or the socket dropped. */
export async function serveLoopback(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  { port, log, onError }: ServeLoopbackOptions,
): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      log('ERROR', 'Request failed', { error });
      if (!response.headersSent) onError(response);
      else response.destroy();
    });
  });
  // Local development: keep-alive sockets must not hold close() up for long.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
