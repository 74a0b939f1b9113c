import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import axe from 'axe-core';
import type { TraceEvent } from '../../../src/application/ports.js';
import { readFile } from 'node:fs/promises';
import { PAGES, PAGE_LABELS, pageParam } from '../../../tabs/src/page-catalog.js';
import { TENANT_A } from '../../adapters/http/api/fakes/api-harness.js';
import { SCREENSHOTS, TabHarness, ensureTabBuilt, launchBrowser } from './tab-harness.js';

let harness: TabHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  await Promise.all([ensureTabBuilt(), mkdir(SCREENSHOTS, { recursive: true })]);
  harness = await new TabHarness().start();
  browser = await launchBrowser();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const reporter = () => harness.api.health.reporter(TENANT_A);

/** Opens the tab inside the fake Teams host (teams-js handshake, SSO from the host). */
async function inTeams(pageId: string, theme = 'default', extra = ''): Promise<FrameLocator> {
  await page.goto(`${harness.base}/e2e/teams-host.html?page=${pageId}&theme=${theme}${extra}`);
  return page.frameLocator('#tab');
}

async function attribute(l: Locator, name: string, expected: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if ((await l.getAttribute(name).catch(() => null)) === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await l.getAttribute(name)).toBe(expected);
}

/** The tab's frame inside the fake Teams host (axe and style probes run in it). */
function tabFrame(): Frame {
  const frame = page.frames().find((f) => new URL(f.url() || 'about:blank', 'http://x').pathname.startsWith('/tab/'));
  if (!frame) throw new Error('the tab frame is not loaded');
  return frame;
}

/**
 * Resolves once the frame has painted twice and runs no CSS transition: a theme switch restarts
 * Fluent's colour transitions, and even at the reduced-motion 0.01 ms a computed colour read in the
 * same frame is still the old theme's (axe then saw light #424242 text on the dark background).
 */
const SETTLED_PROBE = `new Promise((done) => {
  const until = Date.now() + 3000;
  const tick = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    const running = document.getAnimations().filter((a) => a instanceof CSSTransition && a.playState === 'running').length;
    if (running === 0 || Date.now() > until) done(running); else tick();
  }));
  tick();
})`;
async function settled(frame: Frame): Promise<void> {
  await frame.evaluate(SETTLED_PROBE);
}

/** axe-core's violations on the frame's document, one line each (rule, impact, count, first element, why). */
async function runAxe(frame: Frame): Promise<string[]> {
  if (!(await frame.evaluate('typeof axe !== "undefined"'))) await frame.evaluate(axe.source);
  // Every rule runs. Only Fluent's focus-trap sentinels are left out: tabster's <i data-tabster-dummy
  // tabindex=0 aria-hidden> elements are focusable on purpose and pass focus on at once (a known
  // aria-hidden-focus false positive: github.com/microsoft/tabster/issues/288, fluentui#25133).
  const violations = await frame.evaluate<AxeViolation[]>(
    "axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] }).then((r) => r.violations)",
  );
  return violations.map(
    (v) => `${v.id} (${v.impact}, ${v.nodes.length}×) ${v.nodes[0]?.target.join(' ')}: ${v.nodes[0]?.failureSummary}`,
  );
}
type AxeViolation = { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] };

/**
 * Run in the tab's frame (a string: the test's TypeScript has no DOM types). The page colour the
 * theme asks for (its colorNeutralBackground1), and the colour actually behind the html element,
 * the body, #root and the four corners of the viewport: the first non-transparent background up
 * the tree, or the browser's white canvas when there is none.
 */
const BACKGROUNDS_PROBE = `(() => {
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)'; // the browser's canvas
  };
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'var(--colorNeutralBackground1)';
  document.querySelector('[data-theme]').appendChild(probe);
  const expected = getComputedStyle(probe).backgroundColor;
  probe.remove();
  const w = innerWidth - 1;
  const h = innerHeight - 1;
  const seen = {
    html: behind(document.documentElement),
    body: behind(document.body),
    root: behind(document.getElementById('root')),
    'top left': behind(document.elementFromPoint(0, 0)),
    'top right': behind(document.elementFromPoint(w, 0)),
    'bottom left': behind(document.elementFromPoint(0, h)),
    'bottom right': behind(document.elementFromPoint(w, h)),
  };
  return { expected, seen };
})()`;

async function backgrounds(frame: Frame): Promise<{ expected: string; seen: Record<string, string> }> {
  return frame.evaluate<{ expected: string; seen: Record<string, string> }>(BACKGROUNDS_PROBE);
}

/** Searches an agent in the Log Reader and opens every flow. */
async function showAllFlows(tab: FrameLocator | Page, agent: string): Promise<void> {
  await tab.getByLabel('Agent id, e-mail or name').fill(agent);
  await tab.getByRole('button', { name: 'Show flow' }).click();
  await tab.getByTestId('agent-header').waitFor();
  const closed = tab.locator('[data-trace] > button[aria-expanded="false"]');
  while ((await closed.count()) > 0) await closed.first().click();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');
/** The browser runs in Asia/Kolkata (UTC+5:30, no daylight saving): `at` there, worked out by hand. */
const kolkata = (at: number): Date => new Date(at + 5.5 * 3_600_000);
/** en-US "Nov 25, 02:29:50 PM GMT+5:30". */
function localDate(at: number): string {
  const d = kolkata(at);
  const h = d.getUTCHours();
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${two(h % 12 || 12)}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'} GMT+5:30`;
}
/** "14:29:00.500". */
function localClock(at: number): string {
  const d = kolkata(at);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

describe('the Teams tab in a browser', () => {
  it('walks an admin of a tenant not yet set up through setup (outside Teams, sandbox sign-in) and ends on a healthy Health Check', async () => {
    // Admin consent was granted in the Entra admin center: the first sign-in finds it by asking Entra.
    harness.api.grantedRoles.set(TENANT_A, ['Presence.ReadWrite.All', 'User.Read.All']);
    await harness.api.store.tenants.upsert({ ...(await harness.api.store.tenants.get(TENANT_A))!, syncEnabled: false });
    await page.goto(`${harness.base}/tab/`);
    await page.getByRole('heading', { name: 'Set up Presence Sync' }).waitFor();
    await page
      .getByTestId('whoami')
      .filter({ hasText: /· sandbox$/ })
      .waitFor();
    // The checklist says what is done and opens the wizard on what is missing next: CXone.
    await attribute(page.locator('[data-step="consent"]'), 'data-done', 'true');
    await attribute(page.locator('[data-step="cxone"]'), 'aria-current', 'step');

    await page.getByLabel('Client id').fill('cxone-client');
    await page.getByLabel('Client secret').fill('cxone-secret');
    await page.getByLabel('Access key id').fill('key-id');
    await page.getByLabel('Access key secret').fill('key-secret');
    await page.getByRole('button', { name: 'Save and test connection' }).click();
    await page.getByText('Connection works: token issued, 3 agents listed').waitFor();
    expect(harness.api.cxoneTests).toBe(1);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Connect my account as owner' }).click();
    await page.getByText(/admin@contoso.test: signed in/).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Preview auto-match' }).click();
    await page.getByText('2 proposed, 0 conflicts, 1 unmatched').waitFor();
    expect(await runAxe(page.mainFrame())).toEqual([]); // the wizard, with the auto-match preview
    await page.getByRole('button', { name: 'Link 2 proposed' }).click();
    await page.getByText('2 linked, 0 rejected').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    reporter().success('acd.connection', 'feed connected');
    harness.api.health.setSyncActive(TENANT_A, true, 'syncing 3 agents');
    await page.getByRole('button', { name: 'Create the rule and finish' }).click();
    await page.getByRole('button', { name: 'Turn sync on' }).click();
    await attribute(page.locator('[data-step="sync"]'), 'data-done', 'true');
    expect((await harness.api.store.tenants.get(TENANT_A))?.syncEnabled).toBe(true);
    await page.getByRole('button', { name: 'Go to the Health Check' }).click();
    await page.getByRole('heading', { name: 'Health Check' }).waitFor();
    await attribute(page.getByTestId('overall-status'), 'data-status', 'ok');
    await attribute(page.getByTestId('overall-status'), 'data-state', 'syncing');
    expect(await page.getByTestId('headline-why').textContent()).toBe('syncing 3 agents');
    const synced = await page.getByRole('table', { name: 'Actively synced statuses' }).textContent();
    expect(synced).toContain('Busy / InACall');
    expect(await page.getByRole('list', { name: 'Latency' }).textContent()).toContain('CXone → Teams: 23 syncs, p50');
    await page.getByRole('img', { name: /^Syncs per minute, last hour: 23 CXone → Teams, 5 Teams → CXone/ }).waitFor();
    expect(await page.getByTestId('volume-chart').locator('rect').count()).toBeLessThanOrEqual(120);
    const [rule, ...more] = await harness.api.store.rules.list(TENANT_A);
    expect(more).toEqual([]);
    expect(rule).toMatchObject({ direction: 'bidirectional', scope: { kind: 'team', teamIds: ['team-a1'] } });
    expect(rule?.mappings).toContainEqual({
      acd: { kind: 'Unavailable', codeId: 'code-a-teams' },
      teams: { availability: 'Busy', activity: 'InACall' },
    });
  });

  it('links an agent to a Teams user found by name with the people picker', async () => {
    await page.goto(`${harness.base}/tab/?page=users`);
    const table = page.getByRole('table', { name: 'User mapping' });
    const carol = table.getByRole('row').filter({ hasText: 'carol@a.test' });
    await carol.getByRole('button', { name: 'Set link' }).click();
    await carol.getByRole('textbox', { name: /^Teams user for/ }).fill('dav');
    await carol.getByRole('list', { name: 'People found' }).getByRole('button', { name: 'dave (dave@a.test)' }).click();
    // The linked user by UPN, not by Entra object id (the id is the cell's title).
    await carol.getByTitle('Entra object id aad-a9').filter({ hasText: 'dave@a.test' }).waitFor();
    expect(await harness.api.store.userLinks.byAgent(TENANT_A, 'agent-a3')).toMatchObject({
      teamsUserId: 'aad-a9',
      source: 'manual',
    });
  });

  it('finds agents by name or e-mail, pages through them, asks before unlinking, and tells import problems by row', async () => {
    const acd = harness.api.acd.get(TENANT_A)!;
    for (let i = 1; i <= 57; i += 1) acd.addAgent(`agent-p${i}`, 'team-a1', `p${String(i).padStart(2, '0')}@a.test`);
    await harness.api.store.userLinks.put(
      [{ tenantId: TENANT_A, agentId: 'agent-a2', teamsUserId: 'aad-a2', source: 'manual', email: 'bob@a.test' }],
      'test',
    );
    await page.goto(`${harness.base}/tab/?page=users`);
    const table = page.getByRole('table', { name: 'User mapping' });
    const pages = page.getByRole('navigation', { name: 'Pages of agents' });
    await pages.getByText('1–50 of 60').waitFor();
    expect(await table.getByRole('row').count()).toBe(51); // the header and one page
    await pages.getByRole('button', { name: 'Next' }).click();
    await pages.getByText('51–60 of 60').waitFor();

    await page.getByRole('textbox', { name: 'Search agents' }).fill('BOB@');
    await pages.getByText('1–1 of 1').waitFor();
    const bob = table.getByRole('row').filter({ hasText: 'bob@a.test' });
    await bob.getByRole('button', { name: 'Unlink…' }).click();
    await bob
      .getByRole('group', { name: /^Confirm unlinking/ })
      .getByRole('button', { name: 'Keep' })
      .click();
    expect(await harness.api.store.userLinks.byAgent(TENANT_A, 'agent-a2')).toBeDefined();
    await bob.getByRole('button', { name: 'Unlink…' }).click();
    await bob
      .getByRole('group', { name: /^Confirm unlinking/ })
      .getByRole('button', { name: 'Unlink' })
      .click();
    await bob.getByText('Unmapped').waitFor();
    expect(await harness.api.store.userLinks.byAgent(TENANT_A, 'agent-a2')).toBeUndefined();

    const aliceBefore = await harness.api.store.userLinks.byAgent(TENANT_A, 'agent-a1');
    const csv =
      'agentId,teamsUserPrincipalName\nagent-a1,alice@a.test\nagent-nobody,bob@a.test\nagent-a3,nobody@a.test\n';
    await page
      .getByLabel('Import CSV')
      .setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const problems = page.getByRole('list', { name: 'Import problems by row' });
    await problems.waitFor();
    const lines = await problems.getByRole('listitem').allTextContents();
    expect(lines).toEqual([
      expect.stringMatching(/^Row 2, agentId: /),
      expect.stringMatching(/^Row 3, teamsUserPrincipalName: /),
    ]);
    expect(await harness.api.store.userLinks.byAgent(TENANT_A, 'agent-a1')).toEqual(aliceBefore); // all or nothing
  });

  it('runs teams-js inside a Teams host: SSO token from the host, theme from the context and from theme changes', async () => {
    const tab = await inTeams('health', 'dark');
    await tab.getByRole('heading', { name: 'Health Check' }).waitFor();
    await attribute(tab.locator('[data-theme]').first(), 'data-theme', 'dark');
    await tab
      .getByTestId('whoami')
      .filter({ hasText: /^admin@aaaaaaaa-0000-4000-8000-00000000000a\.test \(admin\)$/ })
      .waitFor(); // signed in through the host, not the sandbox
    const seen = await page.evaluate(() => (globalThis as unknown as { hostLog: string[] }).hostLog);
    expect(seen).toEqual(expect.arrayContaining(['initialize', 'getContext', 'authentication.getAuthToken']));
    await page.evaluate(() => (globalThis as unknown as { sendTheme: (t: string) => void }).sendTheme('contrast'));
    await attribute(tab.locator('[data-theme]').first(), 'data-theme', 'contrast');
  });

  it('accepts a Teams host on another origin when the tab is told its origin (validMessageOrigins) and the CSP lets it frame the tab', async () => {
    const hostBase = harness.base.replace('127.0.0.1', 'localhost');
    await page.goto(`${hostBase}/e2e/teams-host.html?page=health&tabOrigin=${encodeURIComponent(harness.base)}`);
    const tab = page.frameLocator('#tab');
    await tab.getByRole('heading', { name: 'Health Check' }).waitFor();
    await tab
      .getByTestId('whoami')
      .filter({ hasText: /^admin@aaaaaaaa-0000-4000-8000-00000000000a\.test \(admin\)$/ })
      .waitFor(); // signed in through the host, not the sandbox
  });

  it('creates a rule with an unavailable code: dry run first, then save', async () => {
    const tab = await inTeams('rules');
    await tab.getByRole('button', { name: 'New rule' }).click();
    await tab.getByLabel('Rule name').fill('Teams meeting → Lunch');
    await tab.getByRole('radio', { name: 'Subscriber (Teams → CXone)' }).check();
    // team-a1 follows the wizard's team rule; a user rule for one agent takes precedence over it.
    await tab.getByRole('radio', { name: 'Users' }).check();
    await tab.getByRole('checkbox', { name: /agent-a1/ }).check();
    await tab.getByRole('button', { name: 'Add mapping' }).click();
    await tab.getByLabel('ACD state 1').selectOption('Unavailable');
    await tab.getByLabel('Unavailable code 1').selectOption({ label: 'Lunch' });
    await tab.getByLabel('Teams presence 1').selectOption({ label: 'Busy / InACall' });
    await tab.getByRole('button', { name: 'Dry run' }).click();
    await tab.getByTestId('dry-run').waitFor();
    expect(await tab.getByTestId('dry-run').textContent()).toContain('A agent-a1 (agent-a1): this rule applies');
    expect((await harness.api.store.rules.list(TENANT_A)).some((r) => r.name === 'Teams meeting → Lunch')).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'rule-editor-dry-run-light.png'), fullPage: true });
    // The editor is the densest form of the console: axe reads it open, with a dry run's result.
    expect(await runAxe(tabFrame())).toEqual([]);
    await tab.getByRole('button', { name: 'Save rule' }).click();
    await tab.getByRole('cell', { name: 'Teams meeting → Lunch', exact: true }).waitFor();
    const saved = (await harness.api.store.rules.list(TENANT_A)).find((r) => r.name === 'Teams meeting → Lunch');
    expect(saved?.mappings).toEqual([
      { acd: { kind: 'Unavailable', codeId: 'code-a-lunch' }, teams: { availability: 'Busy', activity: 'InACall' } },
    ]);
  });

  it('heads the Log Reader with the agent: team, Teams user, what each side shows now, and the rule that applies and why', async () => {
    const tab = await inTeams('logreader');
    await tab.getByLabel('Agent id, e-mail or name').fill('alice@a.test');
    await tab.getByRole('button', { name: 'Show flow' }).click();
    const header = tab.getByTestId('agent-header');
    await header.getByRole('heading', { name: 'A agent-a1' }).waitFor();
    expect(await header.getByTestId('agent-id').textContent()).toBe('agent-a1 · alice@a.test');
    expect(await header.getByTestId('agent-team').textContent()).toBe('Team team-a1 (team-a1)');
    // The wizard's auto-match linked alice; an earlier test made a user rule for agent-a1, which beats the team rule.
    expect(await header.getByTestId('agent-teams-user').textContent()).toMatch(/aad-a1.*linked by auto-match/);
    expect(await header.getByTestId('agent-acd').textContent()).toBe(
      `LoggedIn since ${localDate(harness.api.time.now() - 10_000)}`,
    );
    expect(await header.getByTestId('agent-teams').textContent()).toMatch(/^Busy\/InACall since .* GMT\+5:30$/);
    const rule = await header.getByTestId('agent-rule').textContent();
    expect(rule).toContain('Teams meeting → Lunch (Subscriber, Teams → CXone)');
    expect(rule).toContain('it names the agent directly (a user rule beats any team rule)');
  });

  it('groups hops into flows, newest first, each collapsible, with local times and the zone', async () => {
    const tab = await inTeams('logreader');
    await tab.getByLabel('Agent id, e-mail or name').fill('agent-a1');
    await tab.getByRole('button', { name: 'Show flow' }).click();
    const flows = tab.getByTestId('flows').locator(':scope > li');
    await flows.first().waitFor();
    expect(await flows.evaluateAll((l) => l.map((e) => e.getAttribute('data-trace')))).toEqual([
      'seed-login',
      'seed-lunch',
      'seed',
    ]);
    // Chromium names the zone by its older IANA id.
    expect(await tab.getByTestId('flow-count').textContent()).toMatch(
      /^3 flows, times in Asia\/(Kolkata|Calcutta) \(GMT\+5:30\)$/,
    );
    // The newest flow starts open, the others closed; a click opens one and a second click closes it.
    const toggle = (trace: string) => tab.locator(`[data-trace="${trace}"] > button`);
    expect(await toggle('seed-login').getAttribute('aria-expanded')).toBe('true');
    expect(await toggle('seed').getAttribute('aria-expanded')).toBe('false');
    const call = tab.locator('[data-trace="seed"]').getByTestId('timeline');
    expect(await call.isVisible()).toBe(false);
    await toggle('seed').click();
    await call.waitFor();
    const start = harness.api.time.now() - 60_000;
    expect(await toggle('seed').textContent()).toContain(localDate(start));
    const hops = await call.locator('li').allTextContents();
    expect(hops).toHaveLength(6);
    expect(hops[0]).toContain('Agent app → CXone: InboundContact');
    expect(hops[5]).toContain(`${localClock(start + 500)} GMT+5:30`);
    expect(hops[5]).toContain('Teams client shows Busy / In a call');
    expect(hops[5]).toContain('+900 ms');
    // A write Teams cannot show is flagged on its flow and its hop, with the reason.
    expect(await toggle('seed').textContent()).toContain('Not shown in Teams');
    expect(await call.locator('li[data-not-shown]').textContent()).toContain(
      "Teams cannot show it: the user's own DoNotDisturb/Presenting outranks our Busy/InACall session",
    );
    await toggle('seed').click();
    await call.waitFor({ state: 'hidden' });
  });

  it('finds an agent by name ("last, first") and filters the flows to those with errors, or to those that wrote to Teams or CXone', async () => {
    const tab = await inTeams('logreader');
    // CXone names agent-a1 "A agent-a1" (first name A).
    await tab.getByLabel('Agent id, e-mail or name').fill('Agent-A1, a');
    await tab.getByRole('button', { name: 'Show flow' }).click();
    expect(await tab.getByTestId('agent-id').textContent()).toBe('agent-a1 · alice@a.test');
    const traces = () =>
      tab
        .getByTestId('flows')
        .locator(':scope > li')
        .evaluateAll((l) => l.map((e) => e.getAttribute('data-trace')));
    await tab.getByTestId('flows').locator(':scope > li').first().waitFor();
    await tab.getByRole('checkbox', { name: 'Only flows with errors' }).check();
    await tab.getByTestId('flow-count').getByText('1 of 3 flows').waitFor();
    expect(await traces()).toEqual(['seed-lunch']);
    // The error is on the flow and on the hop, with Graph's reason.
    const lunch = tab.locator('[data-trace="seed-lunch"]');
    await lunch.locator('> button').click();
    expect(await lunch.locator('li[data-error]').count()).toBe(2);
    expect(await lunch.getByTestId('timeline').textContent()).toContain('Graph answered 503 three times');
    await tab.getByRole('checkbox', { name: 'Only flows with errors' }).uncheck();
    await tab.getByRole('checkbox', { name: 'Only flows that wrote to Teams or CXone' }).check();
    await tab.getByTestId('flow-count').getByText('2 of 3 flows').waitFor();
    expect(await traces()).toEqual(['seed-lunch', 'seed']);
    await tab.getByRole('checkbox', { name: 'Only flows that wrote to Teams or CXone' }).uncheck();
    await tab
      .getByTestId('flow-count')
      .getByText(/^3 flows, times in/)
      .waitFor();
    // Asking again for the same agent shows the header again.
    await tab.getByRole('button', { name: 'Show flow' }).click();
    await tab.getByText('Loading…').waitFor({ state: 'detached' });
    await tab.getByTestId('agent-header').waitFor();
  });

  it('adds live hops to their flow as they happen; follow mode opens the newest flow, without it new flows stay closed', async () => {
    const tab = await inTeams('logreader');
    await tab.getByLabel('Agent id, e-mail or name').fill('alice@a.test');
    await tab.getByRole('button', { name: 'Show flow' }).click();
    await tab.getByTestId('agent-header').waitFor();
    await tab.getByRole('switch', { name: 'Live' }).check();
    await tab.getByTestId('live-state').getByText('live').waitFor();
    expect(await tab.getByRole('switch', { name: 'Follow newest' }).isChecked()).toBe(true);
    const at = harness.api.time.now();
    const publish = (id: string, traceId: string, hop: TraceEvent['hop'], summary: string, extra = {}) =>
      harness.api.tail.publish({
        id,
        tenantId: TENANT_A,
        agentId: 'agent-a1',
        traceId,
        hop,
        at,
        summary,
        data: {},
        ...extra,
      });
    // The sync saw the agent take a call: the header is read again once the burst settles.
    await harness.api.store.agentStates.put(TENANT_A, {
      ...(await harness.api.store.agentStates.get(TENANT_A, 'agent-a1'))!,
      acd: {
        state: {
          name: 'InboundContact',
          afterCallWork: false,
          contact: { contactId: 'c1', media: 'voice', mediaTypeId: 4, counterpart: 'customer', isOutbound: false },
        },
        sourceTime: at,
        eventId: 'e2e-1',
      },
    });
    publish('e2e-1', 't-e2e', 'acd.event', 'CXone: agent-a1 InboundContact');
    publish('e2e-2', 't-e2e', 'graph.response', 'Teams presence set Busy / InACall', {
      at: at + 120,
      latencyMs: 120,
      data: { reason: 'rule Voice calls' },
    });
    const flow = tab.locator('[data-trace="t-e2e"]');
    await flow.getByText('Teams presence set Busy / InACall', { exact: true }).waitFor();
    expect(await tab.getByTestId('flows').locator(':scope > li').first().getAttribute('data-trace')).toBe('t-e2e');
    expect(await flow.locator('> button').getAttribute('aria-expanded')).toBe('true');
    const hops = await flow.getByTestId('timeline').locator('li').allTextContents();
    expect(hops).toHaveLength(2);
    expect(hops[0]).toContain('CXone: agent-a1 InboundContact');
    expect(hops[1]).toContain('+120 ms');
    expect(hops[1]).toContain('reason: rule Voice calls');
    await tab
      .getByTestId('agent-acd')
      .getByText(/^InboundContact\(voice, customer\) since/)
      .waitFor();

    await tab.getByRole('switch', { name: 'Follow newest' }).uncheck();
    publish('e2e-3', 't-e2e-2', 'acd.event', 'CXone: agent-a1 Available', { at: at + 5_000 });
    const quiet = tab.locator('[data-trace="t-e2e-2"]');
    await quiet.waitFor();
    expect(await quiet.locator('> button').getAttribute('aria-expanded')).toBe('false');
    expect(await tab.getByTestId('flows').locator(':scope > li').first().getAttribute('data-trace')).toBe('t-e2e-2');
    await tab.getByRole('switch', { name: 'Live' }).uncheck();
  });

  it('turns the Health Check red when a fault is injected and green again when it clears', async () => {
    reporter().success('acd.connection', 'feed connected');
    const tab = await inTeams('health');
    const overall = tab.getByTestId('overall-status');
    await attribute(overall, 'data-status', 'ok');
    harness.api.health.setSyncActive(TENANT_A, true, 'syncing 3 agents');
    reporter().report('acd.connection', 'down', 'CXone refused the access key');
    await attribute(overall, 'data-status', 'down');
    // One headline: degraded with why, never "Down" next to "Sync active".
    expect(await overall.getAttribute('data-state')).toBe('degraded');
    expect(await overall.textContent()).toBe('Sync degraded');
    expect(await tab.getByTestId('headline-why').textContent()).toBe(
      'CXone connection down: CXone refused the access key',
    );
    expect(await tab.getByTestId('component-acd.connection').textContent()).toContain('What to do:');
    expect(await tab.getByTestId('component-acd.connection').textContent()).toContain('CXone refused the access key');
    await page.screenshot({ path: join(SCREENSHOTS, 'health-fault-light.png'), fullPage: true });
    reporter().success('acd.connection', 'feed connected');
    await attribute(overall, 'data-status', 'ok');
  });

  it('keeps the chart bounded and the rows in place while the Health Check refreshes', async () => {
    const now = harness.api.time.now();
    for (let i = 0; i < 400; i += 1)
      harness.api.health.activity.record(TENANT_A, {
        ruleId: `rule-${i % 4}`,
        direction: i % 2 ? 'acd-to-teams' : 'teams-to-acd',
        status: `Status${i % 8}/x`,
        latencyMs: 100 + i,
        at: now - (i % 120) * 30_000,
      });
    const tab = await inTeams('health');
    const rows = tab.getByRole('table', { name: 'Actively synced statuses' }).getByRole('row');
    await rows.nth(10).waitFor();
    const seen: string[][] = [];
    for (let i = 0; i < 3; i += 1) {
      seen.push(await rows.allTextContents());
      expect(await tab.getByTestId('volume-chart').locator('rect').count()).toBeLessThanOrEqual(120);
      await new Promise((r) => setTimeout(r, 2200));
    }
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('tells a support engineer who opens an admin page in Teams that it is for admins', async () => {
    const tab = await inTeams('rules', 'default', '&role=support');
    await tab.getByRole('alert').getByText('Rules is for Presence Sync admins').waitFor();
    expect(await tab.getByRole('heading', { name: 'Rules' }).count()).toBe(0);
  });

  it('shows a support engineer only Health Check and Log Reader, with empty and error states', async () => {
    await page.goto(`${harness.base}/tab/?page=rules&role=support`);
    const tab = page.mainFrame();
    await tab.getByRole('heading', { name: 'Health Check' }).waitFor();
    expect(await tab.getByRole('tab').count()).toBe(2);
    expect(await tab.getByRole('tab', { name: 'Log Reader' }).count()).toBe(1);
    expect(await tab.getByRole('tab', { name: 'Rules' }).count()).toBe(0);
    await tab.getByRole('tab', { name: 'Log Reader' }).click();
    await tab.getByLabel('Agent id, e-mail or name').fill('nobody@nowhere.test');
    await tab.getByRole('button', { name: 'Show flow' }).click();
    await tab.getByText(/No hops recorded for|No agent matches/).waitFor();
    await page.route('**/api/v1/health', (r) =>
      r.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          status: 503,
          code: 'STORE.UNAVAILABLE',
          title: 'Unavailable',
          detail: 'The store is not reachable.',
        }),
      }),
    );
    await tab.getByRole('tab', { name: 'Health Check' }).click();
    await tab.getByRole('alert').getByText('The store is not reachable.').waitFor();
    await page.unroute('**/api/v1/health');
  });

  it('is keyboard operable outside Teams: arrow keys move along the page tabs, Enter opens one', async () => {
    await page.goto(`${harness.base}/tab/?page=rules`);
    await page.getByRole('tab', { name: 'Rules' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    expect(await page.getByRole('tab', { name: 'Users' }).getAttribute('aria-selected')).toBe('true');
  });

  it('opens the page of every static tab of the app package inside Teams, without a tab bar of its own', async () => {
    const manifest = JSON.parse(await readFile(join(process.cwd(), 'appPackage', 'manifest.json'), 'utf8')) as {
      staticTabs: { entityId: string; name?: string; contentUrl?: string }[];
    };
    const tabs = manifest.staticTabs.filter((t) => t.contentUrl);
    expect(tabs.length).toBe(PAGES.length);
    for (const t of tabs) {
      const param = new URL(t.contentUrl!.replace('${{TAB_ENDPOINT}}', 'https://x')).searchParams.get('page')!;
      const tab = await inTeams(param, 'default', `&entityId=${t.entityId}`);
      await tab.getByRole('main', { name: t.name }).waitFor();
      await tab.getByTestId('whoami').filter({ hasText: '(admin)' }).waitFor();
      expect([t.entityId, await tab.getByRole('navigation', { name: 'Pages', exact: true }).count()]).toEqual([
        t.entityId,
        0,
      ]);
    }
    // Without ?page= the static tab Teams reports in the context (page.id) decides.
    const tab = await inTeams('logreader', 'default', '&noPageParam=1');
    await tab.getByRole('main', { name: 'Log Reader' }).waitFor();
  });

  it('configures a channel tab: the page is valid at once, and Save stores the chosen page through pages.config', async () => {
    const tab = await inTeams('configure');
    await tab.getByRole('heading', { name: 'Add Presence Sync to this channel' }).waitFor();
    const hostConfig = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { tabConfig: { valid: boolean; saved: unknown; saveResult: string } }).tabConfig,
      );
    for (let i = 0; i < 50 && !(await hostConfig()).valid; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect((await hostConfig()).valid).toBe(true);
    await tab.getByRole('radio', { name: 'Log Reader' }).check();
    await page.evaluate(() => (globalThis as unknown as { pressSave: () => void }).pressSave());
    for (let i = 0; i < 50 && !(await hostConfig()).saveResult; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await hostConfig()).toEqual({
      valid: true,
      saveResult: 'success',
      saved: {
        entityId: 'presence-sync-logreader',
        contentUrl: `${harness.base}/tab/index.html?page=logreader`,
        websiteUrl: `${harness.base}/tab/index.html?page=logreader`,
        suggestedDisplayName: 'Presence Sync Log Reader',
      },
    });
    // What the channel then opens is the Log Reader.
    const channel = await inTeams('logreader');
    await channel.getByRole('main', { name: 'Log Reader' }).waitFor();
  });

  it('has no horizontal overflow at 400 px on any page (the Teams side panel, a phone), with a page menu instead of tabs', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      const overflow: string[] = [];
      for (const id of PAGES) {
        await page.goto(`${harness.base}/tab/?page=${pageParam(id)}`);
        await page.getByRole('main', { name: PAGE_LABELS[id] }).waitFor();
        if (id === 'log') await showAllFlows(page, 'agent-a1');
        await page
          .getByText(/^Loading/)
          .first()
          .waitFor({ state: 'detached' });
        const width = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        if (width > 400) overflow.push(`${id}: ${width}px`);
        await page.screenshot({ path: join(SCREENSHOTS, `${id}-400px.png`), fullPage: true });
      }
      expect(overflow).toEqual([]);
      expect(await page.getByRole('tab').count()).toBe(0);
      await page.getByRole('button', { name: /^Page: / }).click();
      await page.getByRole('menuitem', { name: 'Log Reader' }).click();
      await page.getByRole('main', { name: 'Log Reader' }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  });

  it('passes axe, paints no white margin and saves a screenshot on every page in the light, the dark and the high-contrast theme', async () => {
    const violations: string[] = [];
    const margins: string[] = [];
    // One load per page; the host switches the theme as Teams does (themeChange), so the page is reused.
    // Colours are checked once settled: Fluent's colour transitions (100 ms) end at once with reduced motion.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    for (const id of PAGES) {
      const tab = await inTeams(pageParam(id), 'default');
      await tab.getByRole('main', { name: PAGE_LABELS[id] }).waitFor();
      if (id === 'log') await showAllFlows(tab, 'agent-a1');
      await tab
        .getByText(/^Loading/)
        .first()
        .waitFor({ state: 'detached' });
      for (const theme of ['default', 'dark', 'contrast'] as const) {
        await page.evaluate((t) => (globalThis as unknown as { sendTheme: (t: string) => void }).sendTheme(t), theme);
        await attribute(tab.locator('[data-theme]').first(), 'data-theme', theme);
        const frame = tabFrame();
        await settled(frame);
        for (const v of await runAxe(frame)) violations.push(`${theme} ${id}: ${v}`);
        const paint = await backgrounds(frame);
        const white = 'rgb(255, 255, 255)';
        // The check itself: dark and high contrast must have a dark page colour to compare with.
        if (theme !== 'default' && paint.expected === white) margins.push(`${theme} ${id}: theme background is white`);
        for (const [where, colour] of Object.entries(paint.seen))
          if (colour !== paint.expected) margins.push(`${theme} ${id}: ${where} is ${colour}, not ${paint.expected}`);
        const name = { default: 'light', dark: 'dark', contrast: 'contrast' }[theme];
        await page.screenshot({ path: join(SCREENSHOTS, `${id}-${name}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ reducedMotion: null });
    expect(violations).toEqual([]);
    expect(margins).toEqual([]);
  }, 180_000);
});
