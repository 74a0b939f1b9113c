import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalTls, type LocalTls } from '../tls/local-ca.js';
import { registerControlRoutes } from './cxone-control-routes.js';
import { registerDirectoryRoutes } from './cxone-directory-routes.js';
import { CxoneFaults, type Disruption } from './cxone-faults.js';
import { CxoneFeedHistory } from './cxone-feed-history.js';
import { CxoneIdentity, type CxoneCredentials } from './cxone-identity.js';
import { CxoneModel } from './cxone-model.js';
import { CxoneRateLimit, CxoneReportedStates, cxoneRealismSchema, type CxoneRealism } from './cxone-realism.js';
import { CxoneRequestLog } from './cxone-request-log.js';
import { registerRealtimeRoutes } from './cxone-realtime-routes.js';
import { EmuRouter, json, type EmuRequest, type EmuResponse } from './cxone-router.js';
import type { EmuLoggedRequest } from './cxone-request-log.js';
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
  /** Requests kept in `requests` (default DEFAULT_REQUEST_LOG_CAP). */
  readonly requestLogCap?: number;
  /** Agent-state records kept per agent for replay faults (default 9; 0 keeps none and replays nothing). */
  readonly feedHistoryDepth?: number;
  /** Reporting lag and rate limit (default INSTANT_CXONE: none; the sandbox world turns REALISTIC_CXONE on). */
  readonly realism?: CxoneRealism;
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
  /** The newest API requests with their outcome (counting writes and retries); capped, see requestLogCap. */
  readonly requests: CxoneRequestLog;
  /** Per-agent records the replay faults draw on (its size is reported by the soak). */
  readonly feedHistory: CxoneFeedHistory;
  /** Changes the reporting lag and rate limit (also `POST /_control/realism`). */
  setRealism(realism: CxoneRealism): void;
  /** Agent-state changes the Real-Time feed does not show yet (the reporting lag); tests waiting for quiet wait for 0. */
  unreported(): number;
  /** How late the Real-Time feed shows a change now (ms); observers date a change's visibility by it. */
  reportingLagMs(): number;
  close(): Promise<void>;
}

export const DEFAULT_CXONE_CREDENTIALS: CxoneCredentials = Object.freeze({
  clientId: 'presence-sync-backend@contoso',
  clientSecret: 'sandbox-client-secret',
  accessKeyId: 'sandbox-access-key',
  accessKeySecret: 'sandbox-access-secret',
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
  const identity = await CxoneIdentity.create(
    {
      credentials,
      tenantId,
      businessUnitId: model.businessUnitId,
      apiUserAgentId: 999_001,
      tokenLifetimeSec: options.tokenLifetimeSec ?? 3600,
    },
    clock,
  );
  const api = new EmuRouter();
  const feedHistory = new CxoneFeedHistory(model, () => faults.variant, options.feedHistoryDepth);
  const realism = cxoneRealismSchema.parse(options.realism ?? {});
  const reported = new CxoneReportedStates(model, realism.reportingLagMs);
  const throttle: { limit: CxoneRateLimit | undefined } = {
    limit: realism.rateLimit ? new CxoneRateLimit(clock, realism.rateLimit) : undefined,
  };
  const setRealism = (input: CxoneRealism): void => {
    const r = cxoneRealismSchema.parse(input);
    reported.setLag(r.reportingLagMs);
    throttle.limit = r.rateLimit ? new CxoneRateLimit(clock, r.rateLimit) : undefined;
  };
  registerRealtimeRoutes(api, model, faults, feedHistory, reported);
  registerDirectoryRoutes(api, model, faults);
  const sessions = new CxoneSessions(model);
  registerSessionRoutes(api, model, sessions);
  const plain = new EmuRouter();
  identity.register(plain);
  registerControlRoutes(plain, { model, faults, identity, clock, setRealism });
  const stats = new Map<string, number>();
  const requests = new CxoneRequestLog(options.requestLogCap);
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void serve(req, res, { api, plain, model, faults, identity, stats, requests, throttle }).catch((e: unknown) =>
      send(res, json(500, { error: 'InternalServerError', error_Description: String(e) }), undefined),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `https://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    caCertPem: tls.caCertPem,
    tenantId,
    credentials,
    clock,
    model,
    faults,
    identity,
    stats,
    requests,
    feedHistory,
    setRealism,
    unreported: () => reported.unreported(clock.now()),
    reportingLagMs: () => reported.lag,
    close: () => (sessions.closeAll(), closeServer(server)),
  };
}

interface ServeDeps {
  readonly api: EmuRouter;
  readonly plain: EmuRouter;
  readonly model: CxoneModel;
  readonly faults: CxoneFaults;
  readonly identity: CxoneIdentity;
  readonly stats: Map<string, number>;
  readonly requests: CxoneRequestLog;
  readonly throttle: { readonly limit: CxoneRateLimit | undefined };
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
  const a = { method, path, apiVersion: apiMatch ? Number(apiMatch[1]) : undefined, url, raw, req, deps };
  const routed = route(a);
  const disruption =
    apiMatch && typeof routed !== 'object'
      ? undefined
      : apiMatch
        ? (throttled(deps) ?? deps.faults.take(path, method))
        : undefined;
  const outcome = await respond(res, a, routed, disruption, correlation);
  if (apiMatch)
    deps.requests.add({
      at: deps.model.clock.now(),
      method,
      path,
      outcome,
      ...(method === 'POST' ? { body: parseBody(raw, req.headers['content-type']) } : {}),
    });
}

/** Over the rate limit: 429 with Retry-After, before anything else (README "Real-Time feed lag and rate limit"). */
function throttled(deps: ServeDeps): Disruption | undefined {
  const taken = deps.throttle.limit?.take();
  if (!taken || taken.ok) return undefined;
  const response = json(
    429,
    { error: 'TooManyRequests', error_Description: 'Too many requests; retry later.' },
    { 'Retry-After': String(taken.retryAfterSec) },
  );
  return { kind: 'answer', response, afterApply: false };
}

type Args = {
  method: string;
  path: string;
  apiVersion: number | undefined;
  url: URL;
  raw: string;
  req: IncomingMessage;
  deps: ServeDeps;
};
type Routed = ReturnType<EmuRouter['match']>;

/** Answers, or loses the answer as the injected disruption says (before or after carrying the request out). */
async function respond(
  res: ServerResponse,
  a: Args,
  routed: Routed,
  d: Disruption | undefined,
  correlation: string | undefined,
): Promise<EmuLoggedRequest['outcome']> {
  if (d && !d.afterApply && d.kind === 'answer') return sendAnswer(res, d.response, correlation);
  if (d?.kind === 'stall' && !d.afterApply && !(await stall(res, d.stallMs))) return 'stalled';
  if (d?.kind === 'reset' && !d.afterApply) return cut(res);
  const answer = await answerFor(a, routed);
  if (a.deps.faults.delayMs > 0 && a.apiVersion !== undefined) await sleep(a.deps.faults.delayMs);
  if (d?.kind === 'answer') return sendAnswer(res, d.response, correlation);
  if (d?.kind === 'reset') return cut(res);
  if (d?.kind === 'stall' && !(await stall(res, d.stallMs))) return 'stalled';
  return sendAnswer(res, answer, correlation);
}

function route(a: Args): Routed {
  const router = a.apiVersion !== undefined ? a.deps.api : a.deps.plain;
  return router.match(a.method, a.path);
}

async function answerFor(a: Args, found: Routed): Promise<EmuResponse> {
  const { deps } = a;
  if (found === undefined)
    return json(404, { error: 'NotFound', error_Description: `No route ${a.method} ${a.url.pathname}` });
  if (found === 'method') return json(405, { error: 'MethodNotAllowed', error_Description: a.method });
  if (a.apiVersion !== undefined && !deps.identity.isValid(a.req.headers.authorization))
    return json(401, { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired.' });
  const body = parseBody(a.raw, a.req.headers['content-type']);
  const req: EmuRequest = {
    method: a.method,
    path: a.path,
    ...(a.apiVersion !== undefined ? { apiVersion: a.apiVersion } : {}),
    query: a.url.searchParams,
    headers: a.req.headers,
    body,
    params: found.params,
    origin: a.url.origin,
  };
  return found.handler(req);
}

function sendAnswer(res: ServerResponse, answer: EmuResponse, correlation: string | undefined): number {
  send(res, answer, correlation);
  return answer.status;
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
  if (answer.text !== undefined) {
    res.writeHead(answer.status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(answer.text);
    return;
  }
  if (answer.body === undefined) {
    // Not chained: restify (loaded in the same process by the product) patches writeHead to return undefined.
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  res.writeHead(answer.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(answer.body));
}

/** The status line and half a body, then the connection is destroyed (a stream cut mid-response). */
function cut(res: ServerResponse): 'reset' {
  const body = JSON.stringify({ totalRecords: 1, agentStates: [{ agentId: 1, agentStateName: 'Available' }] });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length) });
  res.write(body.slice(0, Math.floor(body.length / 2)));
  // Let the partial write leave before the reset, so the client sees a response cut short.
  setImmediate(() => res.socket?.destroy());
  return 'reset';
}

/** Holds the answer back; false when the client gave up (closed the connection) meanwhile. */
async function stall(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed || res.closed) return false;
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  res.once('close', onClose);
  // Unref'd: a stalled answer must never keep a test process alive.
  await sleep(ms, undefined, { signal: gone.signal, ref: false }).catch(() => undefined);
  res.off('close', onClose);
  return !gone.signal.aborted && !res.destroyed;
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
