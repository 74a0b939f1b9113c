import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ok } from '../../../src/domain/result.js';
import { ADMIN_ROLE, SUPPORT_ROLE } from '../../../src/domain/access.js';
import { staticTabRoutes } from '../../../src/adapters/http/restify-static-tab.js';
import type { OwnerStatus } from '../../../src/adapters/http/api/api-deps.js';
import type { TraceEvent } from '../../../src/application/ports.js';
import { ApiHarness, TENANT_A } from '../../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../../adapters/http/api/fakes/local-entra.js';

const REPO = process.cwd();
export const TAB_DIR = join(REPO, 'tabs');
export const SCREENSHOTS = join(REPO, 'test-artifacts', 'screenshots');

/** Builds tabs/ with vite unless tabs/dist is newer than every source file; one jest worker builds, the others wait. */
export { ensureTabBuilt } from '../../support/build-once.js';

/**
 * The product's tab API over in-memory fakes (ApiHarness) plus what the browser needs: the built
 * tab (staticTabRoutes), the sandbox dev sign-in (GET /sandbox/dev-token?role=admin|support, the
 * contract of tabs/README.md) and the fake Teams host page, all on one origin.
 */
export class TabHarness {
  readonly owners: OwnerStatus[] = [];
  api!: ApiHarness;
  private entra!: LocalEntra;

  async start(): Promise<this> {
    this.entra = await LocalEntra.start();
    this.api = await new ApiHarness(this.entra, {
      owners: { list: async () => [...this.owners] },
      ownerConnector: {
        connect: async (_t, ownerId) => {
          this.owners.push({
            ownerId,
            userPrincipalName: 'admin@contoso.test',
            signedIn: true,
            detail: 'OK',
            subscriptionCount: 0,
          });
          return ok(undefined);
        },
      },
    }).start();
    // A "Teams call" unavailable code for the wizard's rule template.
    this.api.acd.get(TENANT_A)?.codes.set('team-a1', [
      { id: 'code-a-lunch', name: 'Lunch', isActive: true, isAcw: false },
      { id: 'code-a-teams', name: 'Teams call', isActive: true, isAcw: false },
    ]);
    await this.seedHistory();
    const server = this.api.server;
    if (!server) throw new Error('server not started');
    // The fake host also runs as http://localhost:<port>, a different origin that may frame the tab.
    staticTabRoutes(join(TAB_DIR, 'dist'), { extraFrameAncestors: [this.api.base.replace('127.0.0.1', 'localhost')] })(
      server,
    );
    server.get('/sandbox/dev-token', async (req, res) => {
      const role =
        new URL(req.url ?? '/', 'http://x').searchParams.get('role') === 'support' ? SUPPORT_ROLE : ADMIN_ROLE;
      const token = await this.entra.token({ tid: TENANT_A, roles: [role], extra: { name: 'Ada Admin' } });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ token, expiresIn: 3600 }));
    });
    const hostPage = await readFile(join(REPO, 'test', 'e2e', 'tab', 'fake-teams-host.html'));
    server.get('/e2e/teams-host.html', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostPage);
    });
    return this;
  }

  /** An hour of synced statuses (Health Check counts, latency, chart) and one past flow of agent-a1 (Log Reader). */
  private async seedHistory(): Promise<void> {
    const now = this.api.time.now();
    const samples = [
      ['Busy/InACall', 'acd-to-teams', 14, 180],
      ['Available/Available', 'acd-to-teams', 9, 150],
      ['Unavailable:Teams call', 'teams-to-acd', 5, 420],
    ] as const;
    for (const [status, direction, count, latency] of samples) {
      for (let i = 0; i < count; i += 1)
        this.api.health.activity.record(TENANT_A, {
          ruleId: 'rule-seed',
          direction,
          status,
          latencyMs: latency + i * 10,
          at: now - i * 180_000,
        });
    }
    // Three past flows of agent-a1, newest last: a synced call, a write Graph refused, a state no rule maps.
    const hop = (
      traceId: string,
      start: number,
      n: number,
      hop: TraceEvent['hop'],
      summary: string,
      o: { latencyMs?: number; data?: Record<string, unknown> } = {},
    ): TraceEvent => ({
      id: `${traceId}-${n}`,
      tenantId: TENANT_A,
      agentId: 'agent-a1',
      traceId,
      hop,
      at: start + n * 100,
      summary,
      data: o.data ?? { reason: 'rule On a voice call' },
      ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
    });
    const call = now - 60_000;
    const lunch = now - 30_000;
    const login = now - 10_000;
    const refused = {
      failure: { system: 'graph', status: 503, code: 'ServiceUnavailable', message: 'Graph answered 503 three times' },
    };
    await this.api.store.traces.append([
      hop('seed', call, 0, 'acd.event', 'Agent app → CXone: InboundContact'),
      hop('seed', call, 1, 'rule.resolved', 'Rule "On a voice call" applies', { latencyMs: 3 }),
      hop('seed', call, 2, 'decision', 'Set Busy / InACall', { latencyMs: 1 }),
      hop('seed', call, 3, 'graph.request', 'setPresence Busy/InACall', { latencyMs: 2 }),
      // The engine flags a write Teams cannot show (the user's own status wins) as data.notShown.
      hop('seed', call, 4, 'graph.response', 'Graph 200', {
        latencyMs: 140,
        data: {
          reason: 'rule On a voice call',
          notShown: {
            teamsShows: { availability: 'DoNotDisturb', activity: 'Presenting' },
            cause: 'outranked',
            reason: "the user's own DoNotDisturb/Presenting outranks our Busy/InACall session",
          },
        },
      }),
      hop('seed', call, 5, 'teams.notification', 'Teams client shows Busy / In a call', { latencyMs: 900 }),
      hop('seed-lunch', lunch, 0, 'acd.event', 'Agent app → CXone: Unavailable (Lunch)'),
      hop('seed-lunch', lunch, 1, 'decision', 'Set Away / Away', { latencyMs: 1 }),
      hop('seed-lunch', lunch, 2, 'graph.request', 'setPresence Away/Away', { latencyMs: 2 }),
      hop('seed-lunch', lunch, 3, 'error', 'graph 503 ServiceUnavailable: retrying in 1000 ms', { data: refused }),
      hop('seed-lunch', lunch, 4, 'graph.response', 'gave up: Graph answered 503 three times', { data: refused }),
      hop('seed-login', login, 0, 'acd.event', 'Agent app → CXone: LoggedIn'),
      hop('seed-login', login, 1, 'decision', 'Nothing to do: no mapping for LoggedIn', { latencyMs: 1 }),
    ]);
    // What the sync last saw of agent-a1 on each side (the Log Reader's header).
    await this.api.store.agentStates.put(TENANT_A, {
      agentId: 'agent-a1',
      teamId: 'team-a1',
      acd: { state: { name: 'LoggedIn', afterCallWork: false }, sourceTime: login, eventId: 'seed-login' },
      teams: {
        presence: { availability: 'Busy', activity: 'InACall' },
        sourceTime: call + 500,
        eventId: 'seed-teams',
      },
    });
  }

  /** A call to the tab API as a tenant A admin (what an API client, not the tab, would send). */
  async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const token = await this.entra.token({ tid: TENANT_A, roles: [ADMIN_ROLE] });
    const r = await this.api.call(method, `/api/v1${path}`, { token, ...(body !== undefined ? { body } : {}) });
    if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }

  get base(): string {
    return this.api.base;
  }

  async close(): Promise<void> {
    await this.api.close();
    await this.entra.close();
  }
}

/** Debian's Chromium through playwright-core, offline: teams-js's CDN domain list is blocked. */
export async function launchBrowser(): Promise<{ ctx: BrowserContext; page: Page; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tab-e2e-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 900 },
    // A zone with a half-hour offset and no daylight saving: the Log Reader's local times are checkable.
    timezoneId: 'Asia/Kolkata',
    locale: 'en-US',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  ctx.setDefaultTimeout(8000);
  await ctx.route('https://res.cdn.office.net/**', (r) => r.abort());
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  if (process.env.TAB_E2E_DEBUG) {
    page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
    page.on('pageerror', (e) => console.log('[pageerror]', e.message, e.stack));
  }
  return {
    ctx,
    page,
    close: async () => {
      await ctx.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
