import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalTls, type LocalTls } from '../tls/local-ca.js';
import { registerControlRoutes } from './cxone-control-routes.js';
import { registerDirectoryRoutes } from './cxone-directory-routes.js';
import { CxoneFaults } from './cxone-faults.js';
import { CxoneIdentity, type CxoneCredentials } from './cxone-identity.js';
import { CxoneModel } from './cxone-model.js';
import { registerRealtimeRoutes } from './cxone-realtime-routes.js';
import { EmuRouter, json, type EmuRequest, type EmuResponse } from './cxone-router.js';
import { seedBusinessUnit, type CxoneSeedOptions } from './cxone-seed.js';
import { registerSessionRoutes } from './cxone-session-routes.js';
import { CxoneSessions } from './cxone-sessions.js';
import { SandboxClock } from '../sandbox-clock.js';

/** Options of {@link startCxoneEmulator}. */
export interface CxoneEmulatorOptions {
  /** Share the CA with the Graph/Entra emulator; a fresh one is generated when absent. */
  readonly tls?: LocalTls;
  readonly clock?: SandboxClock;
  readonly seed?: CxoneSeedOptions;
  readonly credentials?: CxoneCredentials;
  readonly tenantId?: string;
  readonly tokenLifetimeSec?: number;
  readonly host?: string;
  readonly port?: number;
}

export interface CxoneEmulator {
  /** Issuer / discovery base, e.g. `https://127.0.0.1:41234`. */
  readonly url: string;
  readonly caCertPem: string;
  readonly tenantId: string;
  readonly credentials: CxoneCredentials;
  readonly clock: SandboxClock;
  /** Direct model access for tests; people and the workload use the `/_control` API. */
  readonly model: CxoneModel;
  readonly faults: CxoneFaults;
  readonly identity: CxoneIdentity;
  /** Requests served per `METHOD /resource` (polling cost measurement). */
  readonly stats: Map<string, number>;
  close(): Promise<void>;
}

export const DEFAULT_CXONE_CREDENTIALS: CxoneCredentials = Object.freeze({
  clientId: 'presence-sync-backend@contoso', clientSecret: 'sandbox-client-secret', accessKeyId: 'sandbox-access-key', accessKeySecret: 'sandbox-access-secret',
});

const API_PREFIX = /^\/inContactAPI\/services\/v(\d+)\.0(\/.*)$/i;

export async function startCxoneEmulator(options: CxoneEmulatorOptions = {}): Promise<CxoneEmulator> {
  const tls = options.tls ?? (await createLocalTls());
  const clock = options.clock ?? new SandboxClock(Date.parse('2026-01-05T08:00:00.000Z'));
  const model = new CxoneModel(clock);
  seedBusinessUnit(model, options.seed ?? { teams: 3, agents: 12 });
  const faults = new CxoneFaults();
  const credentials = options.credentials ?? DEFAULT_CXONE_CREDENTIALS;
  const tenantId = options.tenantId ?? '11e8f4a2-0000-4000-a000-000000004500';
  const identity = await CxoneIdentity.create({ credentials, tenantId, businessUnitId: model.businessUnitId, apiUserAgentId: 999_001, tokenLifetimeSec: options.tokenLifetimeSec ?? 3600 }, clock);
  const api = new EmuRouter();
  registerRealtimeRoutes(api, model, faults);
  registerDirectoryRoutes(api, model, faults);
  const sessions = new CxoneSessions(model);
  registerSessionRoutes(api, model, sessions);
  const plain = new EmuRouter();
  identity.register(plain);
  registerControlRoutes(plain, { model, faults, identity, clock });
  const stats = new Map<string, number>();
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void serve(req, res, { api, plain, model, faults, identity, stats }).catch((e: unknown) => send(res, json(500, { error: 'InternalServerError', error_Description: String(e) }), undefined));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `https://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return { url, caCertPem: tls.caCertPem, tenantId, credentials, clock, model, faults, identity, stats, close: () => (sessions.closeAll(), closeServer(server)) };
}

interface ServeDeps {
  readonly api: EmuRouter;
  readonly plain: EmuRouter;
  readonly model: CxoneModel;
  readonly faults: CxoneFaults;
  readonly identity: CxoneIdentity;
  readonly stats: Map<string, number>;
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: ServeDeps): Promise<void> {
  const raw = await readBody(req);
  const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
  const apiMatch = API_PREFIX.exec(url.pathname);
  const path = apiMatch ? (apiMatch[2] ?? '/') : url.pathname;
  const method = req.method ?? 'GET';
  const statKey = `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
  deps.stats.set(statKey, (deps.stats.get(statKey) ?? 0) + 1);
  const correlation = typeof req.headers.correlationid === 'string' ? req.headers.correlationid : undefined;
  deps.model.tick();
  const answer = await answerFor({ method, path, apiVersion: apiMatch ? Number(apiMatch[1]) : undefined, url, raw, req, deps });
  if (deps.faults.delayMs > 0 && apiMatch) await sleep(deps.faults.delayMs);
  send(res, answer, correlation);
}

async function answerFor(a: { method: string; path: string; apiVersion: number | undefined; url: URL; raw: string; req: IncomingMessage; deps: ServeDeps }): Promise<EmuResponse> {
  const { deps } = a;
  const router = a.apiVersion !== undefined ? deps.api : deps.plain;
  const found = router.match(a.method, a.path);
  if (found === undefined) return json(404, { error: 'NotFound', error_Description: `No route ${a.method} ${a.url.pathname}` });
  if (found === 'method') return json(405, { error: 'MethodNotAllowed', error_Description: a.method });
  if (a.apiVersion !== undefined) {
    const injected = deps.faults.take(a.path);
    if (injected) return injected;
    if (!deps.identity.isValid(a.req.headers.authorization)) return json(401, { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired.' });
  }
  const body = parseBody(a.raw, a.req.headers['content-type']);
  const req: EmuRequest = { method: a.method, path: a.path, ...(a.apiVersion !== undefined ? { apiVersion: a.apiVersion } : {}), query: a.url.searchParams, headers: a.req.headers, body, params: found.params, origin: a.url.origin };
  return found.handler(req);
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return new URLSearchParams(raw);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, answer: EmuResponse, correlation: string | undefined): void {
  const headers: Record<string, string> = { ...(answer.headers ?? {}) };
  if (correlation) headers.CorrelationId = correlation;
  if (answer.body === undefined) {
    // Not chained: restify (loaded in the same process by the product) patches writeHead to return undefined.
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  res.writeHead(answer.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(answer.body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}
