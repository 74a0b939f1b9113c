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
  /**
   * A request body must arrive whole within this long (default 10 s); a client dripping it is
   * answered 408 and cut off. Node's own limit is 300 s, checked every 30 s, which lets a few
   * slow senders hold connections and memory for minutes.
   */
  readonly bodyTimeoutMs?: number;
}

const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Cuts off a request whose body has not fully arrived within `timeoutMs` of its headers. */
function bodyDeadline(timeoutMs: number) {
  return (req: restify.Request, res: restify.Response, next: restify.Next): void => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.readableEnded) return next();
    const timer = setTimeout(() => {
      if (req.readableEnded || res.writableEnded) return;
      if (!res.headersSent) {
        res.writeHead(408, { 'content-type': 'application/problem+json', connection: 'close' });
        res.end(
          JSON.stringify({
            type: 'urn:presence-sync:problem:HTTP.BODY_TIMEOUT',
            title: 'Request body too slow',
            status: 408,
            code: 'HTTP.BODY_TIMEOUT',
            detail: `The request body did not arrive within ${Math.round(timeoutMs / 1000)} s.`,
          }),
        );
      }
      // The rest of a dripped body is never read: free the socket now.
      res.once('finish', () => req.socket.destroy());
      if (res.writableEnded && res.writableFinished) req.socket.destroy();
    }, timeoutMs);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    res.once('finish', clear);
    next();
  };
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
  server.pre(bodyDeadline(opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS));
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
