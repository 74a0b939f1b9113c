import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';

/**
 * The production dress rehearsal's world (issue 14 item 9): `npm run emulators` as a process of its
 * own, the compiled product (`node dist/src/main.js`) in production mode on a fresh PostgreSQL
 * database, and Chromium playing Teams and the admin. Nothing here reaches into either process:
 * everything goes over HTTP, as it would for a person following the README.
 */

const ROOT = resolve(import.meta.dirname, '../../..');

/** Resolves when `predicate` holds (polled), or fails after `timeoutMs` naming `what` and the last value seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  predicate: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await probe();
      if (predicate(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 1500)}${error ? `; error: ${String(error)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A child process with its output kept (for the failure message) and its process group killable. */
export interface Child {
  readonly child: ChildProcess;
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function spawnChild(command: string, args: readonly string[], env: Record<string, string>): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (l) => output.length < 20_000 && output.push(l));
  let exit: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      exit = code;
      done(code);
    }),
  );
  return {
    child,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (exit === undefined) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}

/** Resolves with the first output line matching `pattern`; fails if the process exits first or after `timeoutMs`. */
function lineOf(c: Child, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const seen = c.output.find((l) => pattern.test(l));
    if (seen) return resolveLine(seen);
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} after ${timeoutMs} ms:\n${c.output.slice(-40).join('\n')}`)),
      timeoutMs,
    );
    const onLine = (l: string) => {
      if (!pattern.test(l)) return;
      clearTimeout(timer);
      resolveLine(l);
    };
    for (const s of [c.child.stdout!, c.child.stderr!]) createInterface({ input: s }).on('line', onLine);
    c.child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}:\n${c.output.slice(-40).join('\n')}`));
    });
  });
}

const Account = z.object({ upn: z.string(), password: z.string(), id: z.string() });
export const EmulatorsSummary = z.object({
  caFile: z.string(),
  graph: z.object({ url: z.string(), entraLoginBaseUrl: z.string() }),
  app: z.object({ clientId: z.string(), clientSecret: z.string() }),
  botConnector: z.object({
    serviceUrl: z.string(),
    openIdMetadataUrl: z.string(),
    issuer: z.string(),
    deliverUrl: z.string(),
  }),
  teams: z.object({ publicBaseUrl: z.string(), productUrl: z.string() }),
  tenants: z.array(
    z.object({
      organisation: z.string(),
      tenantId: z.string(),
      admin: Account,
      support: Account,
      owners: z.array(Account),
      agents: z.number(),
      cxone: z.object({
        url: z.string(),
        clientId: z.string(),
        clientSecret: z.string(),
        accessKeyId: z.string(),
        accessKeySecret: z.string(),
      }),
    }),
  ),
});
export type EmulatorsSummary = z.infer<typeof EmulatorsSummary>;

export interface Emulators extends Child {
  readonly summary: EmulatorsSummary;
  /** The Graph emulator's origin (control API), e.g. https://127.0.0.1:40123. */
  readonly graphOrigin: string;
}

/** `npm run emulators` exactly as the README says, on free ports, into `dataDir`; resolves once it printed its URLs. */
export async function startEmulators(dataDir: string, productUrl: string): Promise<Emulators> {
  const c = spawnChild(
    'npm',
    [
      'run',
      '--silent',
      'emulators',
      '--',
      '--data-dir',
      dataDir,
      '--cxone-port',
      '0',
      '--graph-port',
      '0',
      '--bot-port',
      '0',
      '--agents',
      '6',
      '--latency',
      'off',
      '--teams-port',
      '0',
      '--product-url',
      productUrl,
    ],
    {},
  );
  await lineOf(c, /^ {2}The same as JSON: /, 60_000);
  const summary = EmulatorsSummary.parse(
    JSON.parse(await readFile(join(dataDir, 'emulators', 'emulators.json'), 'utf8')),
  );
  return { ...c, summary, graphOrigin: new URL(summary.graph.url).origin };
}

/** A PostgreSQL database of its own on the CI machine's server (127.0.0.1:5432, trust); `drop()` removes it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rehearsal_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A port free right now (the product's PUBLIC_BASE_URL and the registered redirect URIs must name it before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface Product extends Child {
  readonly base: string;
}

/** `node dist/src/main.js` with `env` as its whole configuration; resolves once it listens. */
export async function startProduct(env: Record<string, string>, base: string): Promise<Product> {
  const c = spawnChild(process.execPath, ['dist/src/main.js'], env);
  await lineOf(c, /presence-sync listening/, 60_000);
  return { ...c, base };
}

/** An undici dispatcher that trusts the emulators' CA (the test's own calls to their control APIs). */
export async function emulatorClient(caFile: string) {
  const dispatcher = new Agent({ connect: { ca: await readFile(caFile, 'utf8') } });
  const call = async <T = Record<string, unknown>>(
    url: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ): Promise<{ status: number; body: T }> => {
    const res = await undiciFetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      dispatcher,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: body as T };
  };
  return { call, close: () => dispatcher.close() };
}

/** base64 SHA-256 of a certificate's public key, the form Chromium's --ignore-certificate-errors-spki-list takes. */
async function spkiHash(pemFile: string): Promise<string> {
  const cert = new X509Certificate(await readFile(pemFile));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Chromium as the admin's browser. It trusts exactly the emulators' server certificate (by its key:
 * the Teams emulator's address and the Entra sign-in pages; TLS checks stay on for anything else),
 * as a person trying production mode locally accepts it once. teams-js's CDN list of Teams origins
 * is blocked (offline), so it falls back to its built-in list and its own origin.
 */
export async function launchAdminBrowser(tlsDir: string): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rehearsal-browser-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--ignore-certificate-errors-spki-list=${await spkiHash(join(tlsDir, 'server.pem'))}`,
    ],
  });
  ctx.setDefaultTimeout(15_000);
  await ctx.route('https://res.cdn.office.net/**', (r) => r.abort());
  if (process.env['REHEARSAL_DEBUG']) {
    const watch = (p: Page) => {
      p.on('console', (m) => console.log('[browser]', m.type(), m.text()));
      p.on('pageerror', (e) => console.log('[pageerror]', e.message));
      p.on('requestfailed', (r) => console.log('[requestfailed]', r.url(), r.failure()?.errorText));
    };
    ctx.pages().forEach(watch);
    ctx.on('page', watch);
  }
  return {
    ctx,
    close: async () => {
      await ctx.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The tab as the Teams emulator shows it to `user` of tenant `tid`, on `page` (setup, users, rules, health, …). */
export async function openTab(ctx: BrowserContext, teamsUrl: string, tid: string, user: string, page: string) {
  const p = ctx.pages()[0] ?? (await ctx.newPage());
  await p.goto(`${teamsUrl}/_teams/?${new URLSearchParams({ tid, user, page })}`);
  return { page: p, tab: p.frameLocator('#tab') };
}

/** Fills the emulated Entra sign-in form (Entra's own element ids) in `popup`. */
export async function signInOnEntra(popup: Page, upn: string, password: string): Promise<void> {
  await popup.locator('#i0116').fill(upn);
  await popup.locator('#i0118').fill(password);
  await popup.locator('#idSIButton9').click();
}
