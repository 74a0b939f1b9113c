/**
 * Issue 15 item 2: what a flood of forged Graph notifications does to everyone else. The
 * composed product (sandbox mode: real SQLite store, real webhook route and tab API, over HTTP)
 * answers `GET /api/v1/me` for a signed-in admin, paced under its rate limit, first quietly,
 * then while four senders POST forged notifications to `/api/graph/notifications` as fast as
 * they are answered: 0.9 MB bodies of 9,000 made-up subscription ids, and 50-item bodies of
 * made-up ids. Two floods: all senders from one address (turned away with 429 once their refused
 * work exceeds the per-source budget), and every request from a new address (X-Forwarded-For
 * behind one trusted proxy: nothing is rate limited, every body is parsed and refused from memory).
 *
 * Real: the product process's HTTP server, store, parser, limits. Simulated: the attackers (same
 * machine, loopback), the admin's SSO token (the sandbox's emulated Entra).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fetch } from 'undici';
import { compose } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { startSandboxWorld } from '../../src/sandbox/sandbox-world.js';
import { distribution, round, sleep, type Bench, type BenchOptions, type BenchResult } from './bench-kit.js';

const SENDERS = 4;
/** Under the tab API's per-user limit (10/s refill), so every sample is a real answer. */
const ME_PER_SECOND = 8;
/** "Within a few times its quiet p99"; the floor keeps a 1 ms quiet p99 from making noise a failure. */
const TIMES_QUIET = 4;
const FLOOR_MS = 5;

async function sampleMe(base: string, token: string, seconds: number): Promise<number[]> {
  const out: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    const r = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET /api/v1/me answered ${r.status}`);
    out.push(performance.now() - t0);
    await sleep(Math.max(0, 1000 / ME_PER_SECOND - (performance.now() - t0)));
  }
  return out;
}

/**
 * The attackers run in a worker thread (own event loop), so their own JSON and HTTP work does not
 * land on the product's event loop, which is what is measured. Plain JS: the worker is not compiled.
 */
const ATTACKERS = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, rotate, senders } = workerData;
const big = JSON.stringify({ value: Array.from({ length: 9000 }, (_, i) => ({ subscriptionId: 'x-' + i, tenantId: 't' })) });
const small = (n) => JSON.stringify({ value: Array.from({ length: 50 }, (_, i) => ({ subscriptionId: 'forged-' + n + '-' + i,
  tenantId: 't', clientState: 'guess', changeType: 'updated', resource: 'communications/presences/u', resourceData: { id: 'u' } })) });
let stop = false, n = 0, requests = 0;
const statuses = {};
parentPort.on('message', () => { stop = true; });
const sender = async (id) => {
  while (!stop) {
    n += 1;
    const headers = { 'content-type': 'application/json' };
    if (rotate) headers['x-forwarded-for'] = '10.' + ((n >> 16) & 255) + '.' + ((n >> 8) & 255) + '.' + (n & 255);
    try {
      const r = await fetch(base + '/api/graph/notifications', { method: 'POST', headers, body: id % 2 === 0 ? big : small(n) });
      await r.arrayBuffer();
      statuses[r.status] = (statuses[r.status] || 0) + 1;
    } catch { statuses.error = (statuses.error || 0) + 1; }
    requests += 1;
  }
};
Promise.all(Array.from({ length: senders }, (_, i) => sender(i))).then(() => parentPort.postMessage({ requests, statuses }));
`;

function flood(
  base: string,
  rotate: boolean,
): { stop(): Promise<{ requests: number; statuses: Record<string, number> }> } {
  const worker = new Worker(ATTACKERS, { eval: true, workerData: { base, rotate, senders: SENDERS } });
  const done = new Promise<{ requests: number; statuses: Record<string, number> }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await done;
      await worker.terminate();
      return r;
    },
  };
}

async function phase(
  rotate: boolean,
  seconds: number,
  log: (l: string) => void,
): Promise<{ quiet: number[]; flooded: number[]; requests: number; statuses: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-flood-'));
  const world = await startSandboxWorld({
    dataDir: dir,
    cxoneUrl: 'https://127.0.0.1:0',
    graphUrl: 'https://127.0.0.1:0',
    agents: 20,
    teams: 1,
  });
  const env = {
    PRESENCE_SYNC_MODE: 'sandbox',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DATA_DIR: dir,
    SQLITE_PATH: join(dir, 'bench.sqlite'),
    SANDBOX_WORKLOAD_RATE: '0',
    TRUSTED_PROXY_HOPS: rotate ? '1' : '0',
  };
  const app = await compose(loadConfig({ cwd: dir, env }), { sandboxWorld: world });
  try {
    const base = `http://127.0.0.1:${await app.start()}`;
    const dev = await fetch(`${base}/sandbox/dev-token?role=admin`);
    const { token } = (await dev.json()) as { token: string };
    await sampleMe(base, token, 1); // warm-up
    log(`${rotate ? 'rotating' : 'one'}-address flood: quiet ${seconds} s`);
    const quiet = await sampleMe(base, token, seconds);
    log(`${rotate ? 'rotating' : 'one'}-address flood: ${SENDERS} senders for ${seconds} s`);
    const attack = flood(base, rotate);
    await sleep(500);
    const flooded = await sampleMe(base, token, seconds);
    const { requests, statuses } = await attack.stop();
    return { quiet, flooded, requests, statuses };
  } finally {
    await app.stop();
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const webhookFlood: Bench = {
  name: 'webhook-flood',
  title: 'GET /api/v1/me p99 while forged Graph notifications flood the webhook (issue 15 item 2)',
  async run(o: BenchOptions): Promise<BenchResult> {
    const seconds = o.quick ? 6 : 15;
    const rows = [];
    const targets = [];
    for (const rotate of [false, true]) {
      const r = await phase(rotate, seconds, o.log);
      const quiet = distribution(r.quiet);
      const flooded = distribution(r.flooded);
      const bound = TIMES_QUIET * Math.max(quiet.p99_ms, FLOOR_MS);
      const label = rotate ? 'every request from a new address' : 'all from one address';
      rows.push({
        flood: label,
        quiet_p50_ms: quiet.p50_ms,
        quiet_p99_ms: quiet.p99_ms,
        flood_p50_ms: flooded.p50_ms,
        flood_p99_ms: flooded.p99_ms,
        me_samples: flooded.samples,
        forged_requests: r.requests,
        forged_per_s: round(r.requests / seconds, 1),
        answers: Object.entries(r.statuses)
          .map(([k, v]) => `${k}×${v}`)
          .join(' '),
      });
      targets.push({
        target: `${label}: flooded p99 ≤ ${TIMES_QUIET} × max(quiet p99, ${FLOOR_MS} ms)`,
        measured: `${flooded.p99_ms} ms (quiet ${quiet.p99_ms} ms, bound ${round(bound)} ms)`,
        met: flooded.p99_ms <= bound,
      });
    }
    return {
      rows,
      targets,
      real: ['the composed product (restify, tab API with SSO, webhook route with its limits, SQLite store)'],
      simulated: ['4 attackers in a worker thread on the same machine', "the admin's SSO token (emulated Entra)"],
      method:
        'Real: the composed product (sandbox mode, SQLite store, restify, tab API with SSO, webhook route with its limits) over loopback HTTP. ' +
        `Simulated: ${SENDERS} attackers on the same machine (half 0.9 MB bodies of 9,000 made-up ids, half 50-item bodies), ` +
        `the admin token from the emulated Entra. GET /api/v1/me paced at ${ME_PER_SECOND}/s, ${seconds} s quiet then ${seconds} s flooded, per flood kind.`,
    };
  },
};
