import type { Page } from 'playwright-core';
import { TENANT_A } from '../../adapters/http/api/fakes/api-harness.js';
import { TabHarness, ensureTabBuilt, launchBrowser } from './tab-harness.js';

let harness: TabHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
/** Every body the tab sent to the API. */
const sent: { method: string; path: string; body: string }[] = [];

beforeAll(async () => {
  await ensureTabBuilt();
  harness = await new TabHarness().start();
  browser = await launchBrowser();
  page = browser.page;
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/v1/') && r.method() !== 'GET')
      sent.push({ method: r.method(), path: url.pathname.slice(7), body: r.postData() ?? '' });
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function openSettings(): Promise<void> {
  await page.goto(`${harness.base}/tab/?page=settings`);
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
}

describe('the Settings forms in a browser', () => {
  it('never sends NaN or null from the number fields: a bad value is told under the field and holds Save', async () => {
    await openSettings();
    const days = page.getByRole('spinbutton', { name: 'Keep Log Reader traces (days)' });
    await days.fill('1.5');
    await page.getByText('Enter a whole number of days from 1 to 90.').waitFor();
    const save = page.getByRole('button', { name: 'Save settings' });
    expect(await save.isDisabled()).toBe(true);
    await days.fill('');
    expect(await save.isDisabled()).toBe(true);
    await days.fill('30');
    await page.getByRole('spinbutton', { name: 'Reconcile both sides every (seconds)' }).fill('600');
    await save.click();
    await page.getByRole('status').getByText('Saved').waitFor();
    expect(await harness.call('GET', '/settings')).toEqual({ traceRetentionDays: 30, reconciliationPeriodSec: 600 });
    const puts = sent.filter((s) => s.path === '/settings');
    expect(puts.map((p) => JSON.parse(p.body))).toEqual([{ traceRetentionDays: 30, reconciliationPeriodSec: 600 }]);
  });

  describe('the CXone connection', () => {
    const STORED = {
      clientId: 'cx-client',
      clientSecret: 'cx-secret',
      accessKeyId: 'cx-key',
      accessKeySecret: 'cx-ks',
    };
    beforeAll(async () => {
      await harness.call('PUT', '/connections/cxone', STORED);
    });
    const storedNow = () => harness.api.store.tenants.getConnection(TENANT_A, 'cxone');

    it('shows what is stored, and an untouched form only tests it (never writes)', async () => {
      const before = await storedNow();
      sent.length = 0;
      await openSettings();
      await page
        .getByTestId('cxone-stored')
        .getByText("client id cx-client, access key id cx-key, this deployment's CXone")
        .waitFor();
      expect(await page.getByLabel('CXone issuer URL').inputValue()).toBe(''); // no default the admin never chose
      expect(await page.getByLabel('Client id').inputValue()).toBe('cx-client');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByTestId('cxone-status').getByText('Connection works: token issued, 3 agents listed').waitFor();
      const writes = sent.filter((s) => s.path.startsWith('/connections/'));
      expect(writes.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /connections/cxone/test']);
      expect(await storedNow()).toEqual(before);
    });

    it('tests new credentials before saving them: refused ones are not stored, accepted ones are', async () => {
      const before = await storedNow();
      await openSettings();
      await page.getByLabel('Client secret').fill('wrong');
      await page.getByRole('button', { name: 'Save and test connection' }).click();
      await page
        .getByTestId('cxone-status')
        .getByText(/^Connection failed: CXone .*refused .*\. Nothing was saved\.$/)
        .waitFor();
      expect(await storedNow()).toEqual(before);
      await page.getByLabel('Client secret').fill('new-secret');
      await page.getByRole('button', { name: 'Save and test connection' }).click();
      await page
        .getByTestId('cxone-status')
        .getByText('Connection works: token issued, 3 agents listed. Saved.')
        .waitFor();
      expect(await storedNow()).toEqual({ ...before, clientSecret: 'new-secret' });
    });

    it("shows the API's per-field error next to the field that caused it", async () => {
      await openSettings();
      await page.getByLabel('Client id').fill('');
      await page.getByRole('button', { name: 'Save and test connection' }).click();
      const clientId = page.getByRole('textbox', { name: 'Client id' });
      await page.getByText('The fields concerned say why').waitFor();
      const ids = ((await clientId.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
      const described = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(described.join(' ')).toMatch(/string|character/i);
      expect((await storedNow())?.['clientId']).toBe('cx-client');
    });
  });
});
