import { jest } from '@jest/globals';
import type { BotHealthTransition } from '../../../src/adapters/bot/bot-queries.js';
import { MemoryAlertStateStore } from '../../application/fakes/memory-shared-state.js';
import { InMemoryConversationStore } from './support/bot-fakes.js';
import { ADMIN, APP_ID, TENANT, startBotHarness, teamsActivity, type BotHarness } from './support/bot-harness.js';
import { cardText } from './support/validate-card.js';

/**
 * Two instances of one deployment (one store: conversations and alert pacing): the tenant's owner
 * dies and the other takes over. The admins hear of each change once — not twice, not never.
 */
describe('proactive alerts across a failover', () => {
  let a: BotHarness;
  let b: BotHarness;
  const alertStates = new MemoryAlertStateStore();
  const transition = (
    component: string,
    from: BotHealthTransition['from'],
    to: BotHealthTransition['to'],
  ): BotHealthTransition => ({
    tenantId: TENANT,
    component,
    from,
    to,
    detail: `${component} ${to}`,
    at: a.time.clock.now(),
  });
  /** Both instances' clocks move together (one wall clock). */
  const advance = async (ms: number): Promise<void> => {
    a.time.advance(ms);
    b.time.advance(ms);
    await a.runtime.alerts.idle();
    await b.runtime.alerts.idle();
    await new Promise((r) => setImmediate(r));
    await a.runtime.alerts.idle();
    await b.runtime.alerts.idle();
  };
  /** Every card, whichever instance sent it (the admin's conversation is on a's connector). */
  const cards = (): string[] => a.connector.posts.map((p) => cardText(p.activity.attachments?.[0]?.content));
  /** The owner dies: its timers and memory are gone; its connector (the channel's) stays. */
  const killA = (): void => a.runtime.close();

  beforeEach(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const conversations = new InMemoryConversationStore();
    const alertOptions = { batchWindowMs: 5_000, minIntervalMs: 60_000 };
    a = await startBotHarness({ alertOptions, alertStates, conversations });
    b = await startBotHarness({ alertOptions, alertStates, conversations, trustedOrigins: [a.connector.serviceUrl] });
    const install = teamsActivity(a.connector.serviceUrl, {
      type: 'conversationUpdate',
      membersAdded: [{ id: `28:${APP_ID}` }],
      from: ADMIN,
    });
    expect((await a.post(install)).status).toBe(200);
    a.connector.clear();
    alertStates.rows.clear();
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('an outage the old owner announced is not announced again by the new owner', async () => {
    a.health.emit(transition('acd.connection', 'ok', 'down'));
    await advance(5_000);
    expect(cards()).toHaveLength(1);
    killA();
    // The new owner's health model sees the component down (it starts from what was announced, the alerts too).
    b.health.emit(transition('acd.connection', 'unknown', 'down'));
    await advance(120_000);
    expect(cards()).toHaveLength(1);
  });

  it('a change the old owner held back when it died goes out once, from the other instance', async () => {
    a.health.emit(transition('graph.auth', 'ok', 'down'));
    await advance(1_000);
    killA();
    expect(cards()).toHaveLength(0);
    await advance(30_000);
    expect(cards()).toHaveLength(1);
    expect(cards()[0]).toContain('graph.auth');
    await advance(120_000);
    expect(cards()).toHaveLength(1);
  });

  it('the recovery of an outage the old owner announced is told by the new owner', async () => {
    a.health.emit(transition('webhook', 'ok', 'down'));
    await advance(5_000);
    killA();
    b.health.emit(transition('webhook', 'down', 'ok'));
    await advance(120_000);
    expect(cards()).toHaveLength(2);
    expect(cards()[1]).toContain('Presence Sync: recovered');
  });

  it('two instances flushing the same due alerts send one card', async () => {
    a.health.emit(transition('store', 'ok', 'down'));
    b.health.emit(transition('store', 'ok', 'down'));
    await advance(5_000);
    await advance(120_000);
    expect(cards()).toHaveLength(1);
  });
});
