import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LocalTls } from '../tls/local-ca.js';
import { TEAMS_HOST_PAGE, TEAMS_HOST_SCRIPT } from './teams-host-page.js';

/** Options of {@link startTeamsWebEmulator}. */
export interface TeamsWebEmulatorOptions {
  readonly tls: LocalTls;
  /** The product as it listens locally, e.g. http://localhost:3978. */
  readonly productUrl: string;
  /** The token Teams' getAuthToken would give `user` of tenant `tid`; undefined = refused (no consent yet). */
  readonly ssoToken: (tid: string, user: string) => Promise<string | undefined>;
  /** 0 = a free port. */
  readonly port?: number;
}

export interface TeamsWebEmulator {
  /** https://127.0.0.1:<port>: the product's public address (PUBLIC_BASE_URL) and the Teams host. */
  readonly url: string;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, type: string, body: string): void => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

/** Everything but /_teams/ goes to the product unchanged, answered as the product answers. */
function forward(productUrl: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = httpRequest(
    {
      host: productUrl.hostname,
      port: productUrl.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: productUrl.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) send(res, 502, 'text/plain; charset=utf-8', `The product does not answer at ${productUrl}.`);
    else res.destroy();
  });
  req.pipe(upstream);
}

async function teamsRoute(url: URL, res: ServerResponse, o: TeamsWebEmulatorOptions): Promise<void> {
  if (url.pathname === '/_teams/' || url.pathname === '/_teams/host.html')
    return send(res, 200, 'text/html; charset=utf-8', TEAMS_HOST_PAGE);
  if (url.pathname === '/_teams/host.js') return send(res, 200, 'text/javascript; charset=utf-8', TEAMS_HOST_SCRIPT);
  if (url.pathname === '/_teams/sso-token') {
    const token = await o.ssoToken(url.searchParams.get('tid') ?? '', url.searchParams.get('user') ?? '');
    return token
      ? send(res, 200, 'application/json', JSON.stringify({ token }))
      : send(res, 403, 'application/json', JSON.stringify({ error: 'resourceRequiresConsent' }));
  }
  send(res, 404, 'text/plain; charset=utf-8', 'Not found');
}

/**
 * Teams on this machine, for production mode tried locally (README): what Teams Toolkit's dev
 * tunnel and the Teams web client give a local app. One HTTPS origin (the sandbox CA) that is the
 * product's public address — the tab, the Entra redirect URIs and Graph's webhooks reach the
 * product through it, over HTTPS as in production (teams-js opens sign-in popups only for https
 * URLs, Graph only calls https webhooks) — and that serves, under /_teams/, the page that plays
 * the Teams client around the tab (teams-host-page.ts). Not Microsoft's: nothing here is cited.
 */
export async function startTeamsWebEmulator(o: TeamsWebEmulatorOptions): Promise<TeamsWebEmulator> {
  const productUrl = new URL(o.productUrl);
  const server: Server = createServer({ key: o.tls.keyPem, cert: o.tls.certPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (!url.pathname.startsWith('/_teams/')) return forward(productUrl, req, res);
    teamsRoute(url, res, o).catch((e: unknown) =>
      send(res, 500, 'text/plain; charset=utf-8', e instanceof Error ? e.message : String(e)),
    );
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
