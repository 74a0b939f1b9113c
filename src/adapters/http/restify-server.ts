import type { Server as NodeHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import restify, { type Server } from 'restify';
import type { Logger } from '../../application/ports.js';

/** Adds routes to the server. Each HTTP feature (health, bot, webhooks, tab API) is one registrar. */
export type RouteRegistrar = (server: Server) => void;

/** Options of the HTTP server. */
export interface RestifyServerOptions {
  readonly name: string;
  readonly logger: Logger;
  readonly registrars: readonly RouteRegistrar[];
  /** In-flight requests get this long to finish on close before connections are cut. */
  readonly closeTimeoutMs: number;
}

export interface HttpServer {
  readonly server: Server;
  /** Resolves with the bound port (pass 0 for a random one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (bounded by closeTimeoutMs), then closes. */
  close(): Promise<void>;
}

/**
 * A restify server with only what every route needs: query parsing and error logging. Body
 * parsing is left to the routes (webhooks need the raw body; the bot adapter reads its own).
 * restify asserts on handler arity: write handlers as `async (req, res) => {…}`, no `next`.
 */
export function createRestifyServer(options: RestifyServerOptions): HttpServer {
  const opts = Object.freeze({ ...options });
  const server = restify.createServer({ name: opts.name, handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.on(
    'restifyError',
    (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
      if ((err.statusCode ?? 500) >= 500) opts.logger.error({ err: err.message, path: req.path() }, 'request failed');
      cb();
    },
  );
  for (const register of opts.registrars) register(server);
  const http = server.server as NodeHttpServer;
  return {
    server,
    listen: (port, host) =>
      new Promise((resolvePort, reject) => {
        http.once('error', reject);
        server.listen(port, host, () => {
          http.off('error', reject);
          resolvePort((http.address() as AddressInfo).port);
        });
      }),
    close: () => closeGracefully(http, opts.closeTimeoutMs),
  };
}

function closeGracefully(http: NodeHttpServer, timeoutMs: number): Promise<void> {
  if (!http.listening) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => http.closeAllConnections(), timeoutMs);
    timer.unref();
    http.close(() => {
      clearTimeout(timer);
      done();
    });
    // Keep-alive sockets with no request in flight would hold close() open until they time out.
    http.closeIdleConnections();
  });
}
