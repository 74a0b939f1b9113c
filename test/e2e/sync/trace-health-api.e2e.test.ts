import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../../src/sandbox/sandbox-seed.js';
import { eventually, startSandboxRig, type SandboxRig } from './sandbox-harness.js';

interface Component {
  component: string;
  status: string;
  detail: string;
}

describe('Log Reader, Health Check and the tab API over the composed sandbox', () => {
  let rig: SandboxRig;
  let token: string;
  const api = async (path: string) => {
    const res = await fetch(`${rig.base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const health = async () => (await api('/health')).body['components'] as Component[];
  beforeAll(async () => {
    rig = await startSandboxRig();
    const dev = await fetch(`${rig.base}/sandbox/dev-token?role=admin`);
    token = ((await dev.json()) as { token: string }).token;
  }, 60_000);
  afterAll(() => rig?.close());

  it('the sandbox sign-in issues an admin SSO token the tab API accepts', async () => {
    const me = await api('/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenantId: rig.tenantId, access: 'admin' });
    const support = (await (await fetch(`${rig.base}/sandbox/dev-token?role=support`)).json()) as { token: string };
    const asSupport = await fetch(`${rig.base}/api/v1/me`, { headers: { authorization: `Bearer ${support.token}` } });
    expect(await asSupport.json()).toMatchObject({ access: 'support' });
  });

  it('the trace of a call, read back by agent id, has every hop from the ACD event to the Teams notification', async () => {
    const agent = rig.agentsOf(PUBLISHER_TEAM)[1]!;
    await rig.whenSubscribed();
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    await rig.cxone('/contacts', { type: 'customer', agentId: Number(agent), skillId: FIRST_SKILL_ID + 1 });
    const hops = ['acd.event', 'rule.resolved', 'decision', 'graph.request', 'graph.response', 'teams.notification'];
    const seen = await eventually(async () => {
      const r = await api(`/trace?agent=${agent}`);
      const events = (r.body['events'] ?? []) as { hop: string }[];
      const got = new Set(events.map((e) => e.hop));
      return hops.every((h) => got.has(h)) ? got : undefined;
    }, 'every hop in the Log Reader');
    expect([...(seen ?? [])]).toEqual(expect.arrayContaining(hops));
  }, 40_000);

  it('health shows each component, and the ACD connection goes down and comes back with an injected CXone fault', async () => {
    await eventually(
      async () => (await health()).some((c) => c.component === 'acd.connection' && c.status === 'ok'),
      'acd.connection ok',
    );
    const names = (await health()).map((c) => c.component);
    expect(names).toEqual(
      expect.arrayContaining(['acd.connection', 'graph.auth', 'subscriptions', 'webhook', 'reconciliation', 'store']),
    );
    await rig.cxone('/faults', { rules: [{ status: 503, times: 1000, pathContains: 'agents/states' }] });
    await eventually(
      async () => (await health()).some((c) => c.component === 'acd.connection' && c.status !== 'ok'),
      'acd.connection not ok',
      30_000,
    );
    await rig.cxoneDelete('/faults');
    await eventually(
      async () => (await health()).some((c) => c.component === 'acd.connection' && c.status === 'ok'),
      'acd.connection ok again',
      60_000,
    );
  }, 120_000);

  it('a Teams-side agent trace starts at the Teams notification and ends at the ACD write', async () => {
    const agent = rig.agentsOf(SUBSCRIBER_TEAM)[2]!;
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    await eventually(
      async () => (await rig.traceOf(agent)).some((l) => l.startsWith('acd.event') && l.includes('Available')),
      'login seen',
    );
    rig.app.sandbox!.world.graph.control.teams(rig.userOf(agent).id, 'call');
    await eventually(async () => {
      const lines = await rig.traceOf(agent);
      return ['teams.notification', 'decision', 'acd.request', 'acd.response'].every((h) =>
        lines.some((l) => l.startsWith(h)),
      );
    }, 'Teams → ACD hops');
  }, 40_000);
});
