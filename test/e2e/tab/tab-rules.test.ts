import type { Page } from 'playwright-core';
import { TENANT_A } from '../../adapters/http/api/fakes/api-harness.js';
import { TabHarness, ensureTabBuilt, launchBrowser } from './tab-harness.js';

let harness: TabHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  await ensureTabBuilt();
  harness = await new TabHarness().start();
  browser = await launchBrowser();
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const stored = async (name: string) => (await harness.api.store.rules.list(TENANT_A)).find((r) => r.name === name);
const withoutVersion = <T extends { version: number }>(r: T | undefined) => r && { ...r, version: 0 };

/** A rule written through the API with every field the editor once dropped. */
const SETTLED_RULE = {
  name: 'Voice, settled',
  direction: 'publisher',
  scope: { kind: 'user', agentIds: ['agent-a2'] },
  mappings: [
    {
      acd: { kind: 'InboundContact', counterpart: 'customer' },
      teams: { availability: 'Busy', activity: 'InACall' },
    },
    { acd: { kind: 'Unavailable' }, teams: { availability: 'Away', activity: 'Away' } },
  ],
  noSyncStates: [{ kind: 'LoggedOut' }, { kind: 'Unavailable', codeId: 'code-a-lunch' }],
  debounceMs: 500,
  manualStatusPolicy: 'override',
  enabled: false,
};

/** The text of what a control's aria-describedby points at (where Fluent's Field puts its validation message). */
async function describedBy(control: ReturnType<Page['getByRole']>): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

async function openRules(): Promise<void> {
  await page.goto(`${harness.base}/tab/?page=rules`);
  await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
}

describe('the rule editor in a browser', () => {
  beforeAll(async () => {
    await harness.call('POST', '/rules', {
      name: 'Team A1 voice',
      direction: 'publisher',
      scope: { kind: 'team', teamIds: ['team-a1'] },
      mappings: [{ acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } }],
    });
    await harness.call('POST', '/rules', SETTLED_RULE);
  });

  it('saves a rule opened and left unchanged exactly as it was stored (no-sync states, debounce, counterpart, policy)', async () => {
    const before = await stored('Voice, settled');
    await openRules();
    await page.getByRole('button', { name: 'Edit Voice, settled' }).click();
    expect(await page.getByLabel(/^Debounce/).inputValue()).toBe('500');
    expect(await page.getByLabel('No-sync state 1', { exact: true }).inputValue()).toBe('LoggedOut');
    expect(await page.getByLabel('With 1', { exact: true }).inputValue()).toBe('customer');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('button', { name: 'Edit Voice, settled' }).waitFor();
    const after = await stored('Voice, settled');
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(withoutVersion(after)).toEqual(withoutVersion(before));
  });

  it('edits the no-sync states and the debounce, refusing a debounce that is not a number before it is sent', async () => {
    await openRules();
    await page.getByRole('button', { name: 'Edit Voice, settled' }).click();
    const debounce = page.getByLabel(/^Debounce/);
    await debounce.fill('');
    await debounce.pressSequentially('1.5');
    await page.getByText('Enter a whole number of milliseconds from 0 to 60000.').waitFor();
    expect(await page.getByRole('button', { name: 'Save rule' }).isDisabled()).toBe(true);
    await debounce.fill('1500');
    await page.getByRole('button', { name: 'Remove no-sync state 1' }).click();
    await page.getByRole('button', { name: 'Add no-sync state' }).click();
    await page.getByLabel('No-sync state 2', { exact: true }).selectOption('AfterCallWork');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('button', { name: 'Edit Voice, settled' }).waitFor();
    expect(await stored('Voice, settled')).toMatchObject({
      debounceMs: 1500,
      noSyncStates: [{ kind: 'Unavailable', codeId: 'code-a-lunch' }, { kind: 'AfterCallWork' }],
      mappings: SETTLED_RULE.mappings,
    });
  });

  it('previews an agent the rule covers: the reason and the presence Teams would show', async () => {
    await harness.api.store.agentStates.put(TENANT_A, {
      agentId: 'agent-a2',
      teamId: 'team-a1',
      teamsUserId: 'aad-a2',
      acd: {
        state: {
          name: 'InboundContact',
          afterCallWork: false,
          contact: { contactId: 'c1', media: 'voice', mediaTypeId: 4, counterpart: 'customer', isOutbound: false },
        },
        sourceTime: harness.api.time.now() - 1000,
        eventId: 'e1',
      },
    });
    await openRules();
    await page.getByRole('button', { name: 'Edit Voice, settled' }).click();
    // agent-a1 comes first in the directory, but the rule covers only agent-a2.
    expect(await page.getByLabel('Preview for agent').inputValue()).toBe('agent-a2');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const result = page.getByTestId('dry-run');
    await result.getByText('this rule applies').waitFor();
    const text = await result.textContent();
    expect(text).toContain('agent-a2 (agent-a2): this rule applies — Agent agent-a2 follows rule "Voice, settled"');
    // The rule waits 1500 ms (debounce) before Teams shows the call, and says so.
    expect(text).toMatch(
      /On the current CXone state: After the debounce \([^)]+\): publish Busy\/InACall once .* held 1500 ms$/,
    );
    expect(text).not.toContain('DEBOUNCED');
    // Without the debounce, Teams would show it at once.
    await page.getByLabel(/^Debounce/).fill('0');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await result.getByText(/On the current CXone state: Teams shows Busy \/ InACall/).waitFor();
  });

  it('warns about a team another team rule already claims before Save, and shows API errors next to their fields', async () => {
    await openRules();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByRole('checkbox', { name: 'Team team-a1' }).check();
    await page
      .getByTestId('rule-conflicts')
      .getByText('Team “Team team-a1” already follows the team rule “Team A1 voice”.')
      .waitFor();
    await page.getByRole('checkbox', { name: 'Team team-a1' }).uncheck();
    expect(await page.getByTestId('rule-conflicts').count()).toBe(0);
    await page.getByRole('button', { name: 'Save rule' }).click();
    // RULE.NAME_REQUIRED at /name, RULE.SCOPE_EMPTY at /scope/teamIds: each told by its own field.
    await page.getByText('Give the rule a name.').waitFor();
    expect(await describedBy(page.getByRole('textbox', { name: 'Rule name' }))).toContain('Give the rule a name.');
    expect(await describedBy(page.getByRole('radiogroup', { name: 'Applies to' }))).toMatch(/^Choose .* this rule/);
    await page.getByText(/The fields concerned say why/).waitFor();
  });
});
