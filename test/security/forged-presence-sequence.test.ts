import { setTimeout as delay } from 'node:timers/promises';
import { encryptResource } from '../../src/sandbox/graph/rich-encryption.js';
import { SUBSCRIBER_TEAM } from '../../src/sandbox/sandbox-seed.js';
import { TEAMS_DND_CODE } from '../../src/sandbox/sandbox-world.js';
import { eventually, startSandboxRig, type SandboxRig } from '../e2e/sync/sandbox-harness.js';

const DND = { availability: 'DoNotDisturb', activity: 'DoNotDisturb' } as const;

/**
 * The attacker holds a leaked clientState and a validation token captured from a genuine delivery,
 * and our notification certificate (public: Graph encrypts to it). They POST a rich notification
 * whose presence is what Teams already shows, under a sequenceNumber ordered after every real one.
 * The harm that must not follow: the agent pinned, every later real Teams change dropped as stale.
 */
describe('attacker: a forged presence sequenceNumber on the Graph webhook', () => {
  let rig: SandboxRig;
  let agent: string;
  const control = () => rig.app.sandbox!.world.graph.control;
  const acdOf = () => rig.app.sandbox!.world.cxone.model.states.get(Number(agent))!;
  const user = () => rig.userOf(agent).id;
  const inDnd = () => acdOf().outStateId === Number(TEAMS_DND_CODE);

  const ofUser = (i: Record<string, unknown>): boolean =>
    (i['resourceData'] as { id?: string } | undefined)?.id === user();
  let captured: { item: Record<string, unknown>; validationTokens: unknown } | undefined;

  /** A genuine delivery for our user, captured off the wire (polled right after a change of theirs). */
  async function capture(): Promise<void> {
    const body = await eventually(
      () => {
        const b = control().lastDeliveredBody;
        const items = (b?.['value'] ?? []) as Record<string, unknown>[];
        return items.some(ofUser) ? b : undefined;
      },
      'a genuine delivery for the user',
      20_000,
      5,
    );
    const item = (body['value'] as Record<string, unknown>[]).find(ofUser)!;
    captured = { item, validationTokens: body['validationTokens'] };
  }

  async function forge(sequenceNumber: string): Promise<number> {
    const { item, validationTokens } = captured!;
    const sub = control()
      .subscriptions()
      .find((s) => s.id === item['subscriptionId'])!;
    const shown = control().presence(user());
    const resource = {
      '@odata.type': '#microsoft.graph.presence',
      id: user(),
      availability: shown.availability,
      activity: shown.activity,
      sequenceNumber,
    };
    const res = await fetch(`${rig.base}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [{ ...item, encryptedContent: encryptResource(resource, sub.certificate!) }],
        validationTokens,
      }),
    });
    await res.text();
    return res.status;
  }

  async function teamsSets(pair: typeof DND | undefined, wanted: () => boolean, what: string): Promise<void> {
    control().manualStatus(user(), pair);
    const seen = async () =>
      (await rig.traceOf(agent))
        .filter((l) => l.startsWith('acd.event'))
        .at(-1)
        ?.includes(pair ? 'Teams DND' : 'Available');
    // Also until the engine has seen its write come back from the ACD poll: a Teams change decided before that
    // is the subscriber race of issue 20, not what this suite is about.
    await eventually(async () => wanted() && (await seen()), what).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\ntrace of ${agent}:\n${(await rig.traceOf(agent)).join('\n')}`);
    });
  }

  beforeAll(async () => {
    rig = await startSandboxRig();
    await rig.whenSubscribed();
    agent = rig.agentsOf(SUBSCRIBER_TEAM)[1]!;
    await rig.cxone(`/agents/${agent}/login`, { state: 'Available' });
    control().teams(user(), 'signedIn');
    await eventually(
      async () => (await rig.traceOf(agent)).some((l) => l.startsWith('acd.event') && l.includes('Available')),
      'the engine sees the agent Available',
    );
    // One genuine round trip, its delivery captured.
    control().manualStatus(user(), DND);
    await capture();
    await teamsSets(DND, inDnd, 'ACD in the Teams DND code');
    await teamsSets(undefined, () => acdOf().state === 'Available', 'ACD Available again');
  }, 90_000);
  afterAll(() => rig?.close());

  it("a stamp that is not of Graph's shape orders nothing: the next real change goes through", async () => {
    expect(await forge('Z99999999999')).toBe(202);
    await delay(500);
    await teamsSets(DND, inDnd, 'the real DND after the forgery reaches the ACD');
    await teamsSets(undefined, () => acdOf().state === 'Available', 'the real return to Available reaches the ACD');
  }, 60_000);

  it("a stamp of Graph's shape ordered after every real one is healed by reconciliation, and stays healed over a restart", async () => {
    const real = control().presence(user()).sequenceNumber;
    const forged = real.replace(/[0-9]/g, '9');
    expect(forged).not.toBe(real);
    expect(await forge(forged)).toBe(202);
    await delay(500);
    control().manualStatus(user(), DND);
    await delay(1500);
    expect(inDnd()).toBe(false); // the harm until reconciliation: the real change was taken for stale

    await rig.app.runtime.engine.reconcile(rig.tenantId);
    await eventually(inDnd, 'reconciliation applies what Graph shows now');

    // The same port, as a real restart keeps its public URL (the subscriptions' notificationUrl).
    await rig.restart({ PORT: new URL(rig.base).port });
    await rig.whenSubscribed();
    await teamsSets(undefined, () => acdOf().state === 'Available', 'a real change after the restart');
    await teamsSets(DND, inDnd, 'and the next one');
  }, 90_000);
});
