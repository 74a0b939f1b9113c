import { jest } from '@jest/globals';
import { formatTime } from '../../../src/adapters/bot/bot-cards.js';
import type { BotHealthTransition } from '../../../src/adapters/bot/bot-queries.js';
import {
  ADMIN,
  APP_ID,
  MEMBER,
  TENANT,
  startBotHarness,
  teamsActivity,
  type BotHarness,
} from './support/bot-harness.js';
import { cardProblems, cardText } from './support/validate-card.js';

const transition = (
  h: BotHarness,
  component: string,
  from: BotHealthTransition['from'],
  to: BotHealthTransition['to'],
  detail = '',
): BotHealthTransition => ({ tenantId: TENANT, component, from, to, detail, at: h.time.clock.now() });

/** Install the bot for a user over HTTP, as Teams would. */
async function install(h: BotHarness, user: typeof ADMIN): Promise<void> {
  const activity = teamsActivity(h.connector.serviceUrl, {
    type: 'conversationUpdate',
    membersAdded: [{ id: `28:${APP_ID}` }],
    from: user,
  });
  expect((await h.post(activity)).status).toBe(200);
}

async function advance(h: BotHarness, ms: number): Promise<void> {
  h.time.advance(ms);
  await h.runtime.alerts.idle();
}

describe('proactive health alerts to the admins', () => {
  let h: BotHarness;
  beforeEach(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    h = await startBotHarness({ alertOptions: { batchWindowMs: 5_000, minIntervalMs: 60_000 } });
    await install(h, ADMIN);
    await install(h, MEMBER);
    h.connector.clear();
  });
  afterEach(async () => {
    await h.close();
  });

  it('sends a card to the admin conversations (only) after a component goes down', async () => {
    h.health.emit(transition(h, 'graph.auth', 'ok', 'down', 'invalid_client: the client secret expired'));
    await advance(h, 4_999);
    expect(h.connector.posts).toHaveLength(0);
    await advance(h, 1);
    expect(h.connector.posts.map((p) => p.conversationId)).toEqual([`a:personal-${ADMIN.aadObjectId}`]);
    expect(h.connector.posts[0]?.replyToId).toBeUndefined();
    const card = h.connector.posts[0]?.activity.attachments?.[0]?.content;
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain('a component needs attention');
    expect(text).toContain('Microsoft sign-in (graph.auth)**: ok → down');
    expect(text).toContain('the client secret expired');
  });

  it('announces the recovery', async () => {
    h.health.emit(transition(h, 'acd.connection', 'ok', 'down'));
    await advance(h, 5_000);
    h.health.emit(transition(h, 'acd.connection', 'down', 'ok', 'reconnected'));
    await advance(h, 60_000);
    expect(h.connector.posts).toHaveLength(2);
    expect(cardText(h.connector.posts[1]?.activity.attachments?.[0]?.content)).toContain('Presence Sync: recovered');
  });

  it('an outage that began and ended while a card was held back is told, not dropped: ok → down → ok', async () => {
    // Each status reaching the alerts held for the health model's debounce: this was a real outage.
    h.health.emit(transition(h, 'webhook', 'ok', 'down'));
    h.health.emit(transition(h, 'webhook', 'down', 'ok'));
    await advance(h, 10_000);
    expect(h.connector.posts).toHaveLength(1);
    const text = cardText(h.connector.posts[0]?.activity.attachments?.[0]?.content);
    expect(text).toContain('Presence Sync: recovered');
    expect(text).toContain('Teams notifications (webhook)**: ok → down → ok');
  });

  it('a card held back by the minimum interval tells every status passed: degraded → down → ok', async () => {
    h.health.emit(transition(h, 'acd.connection', 'ok', 'degraded'));
    await advance(h, 5_000);
    h.health.emit(transition(h, 'acd.connection', 'degraded', 'down'));
    await advance(h, 20_000);
    h.health.emit(transition(h, 'acd.connection', 'down', 'ok'));
    await advance(h, 39_999);
    expect(h.connector.posts).toHaveLength(1);
    await advance(h, 1);
    expect(h.connector.posts).toHaveLength(2);
    expect(cardText(h.connector.posts[1]?.activity.attachments?.[0]?.content)).toContain(
      'CXone connection (acd.connection)**: degraded → down → ok',
    );
  });

  it('tells when the failure began, not when the debounce confirmed it', async () => {
    const began = h.time.clock.now() - 60_000;
    h.health.emit({ ...transition(h, 'acd.connection', 'ok', 'down'), since: began });
    await advance(h, 5_000);
    const text = cardText(h.connector.posts[0]?.activity.attachments?.[0]?.content);
    expect(text).toContain(`down since ${formatTime(began)}`);
    expect(text).not.toContain(formatTime(h.time.clock.now() - 5_000));
    // What to do, as the Health Check advises it for the component.
    expect(text).toContain('What to do: Check that CXone is reachable');
  });

  it('a merged line tells when its first change began and since when it is in its last status', async () => {
    const wentDown = h.time.clock.now() - 60_000;
    const cameBack = h.time.clock.now() - 1_000;
    h.health.emit({ ...transition(h, 'webhook', 'ok', 'down'), since: wentDown });
    h.health.emit({ ...transition(h, 'webhook', 'down', 'ok'), since: cameBack });
    await advance(h, 5_000);
    expect(cardText(h.connector.posts[0]?.activity.attachments?.[0]?.content)).toContain(
      `began ${formatTime(wentDown)} · ok since ${formatTime(cameBack)}`,
    );
  });

  it('says nothing when nothing changed since the last card', async () => {
    h.health.emit(transition(h, 'webhook', 'ok', 'down'));
    await advance(h, 5_000);
    h.health.emit(transition(h, 'webhook', 'down', 'down'));
    await advance(h, 60_000);
    expect(h.connector.posts).toHaveLength(1);
  });

  it('says nothing when a component first reports healthy', async () => {
    h.health.emit(transition(h, 'store', 'unknown', 'ok'));
    await advance(h, 10_000);
    expect(h.connector.posts).toHaveLength(0);
  });

  it('merges a storm into one card and keeps cards at least the minimum interval apart', async () => {
    for (const component of ['acd.connection', 'acd.auth', 'graph.auth', 'subscriptions', 'webhook'])
      h.health.emit(transition(h, component, 'ok', 'down'));
    await advance(h, 5_000);
    expect(h.connector.posts).toHaveLength(1);
    expect(cardText(h.connector.posts[0]?.activity.attachments?.[0]?.content).match(/: ok → down/g)).toHaveLength(5);
    h.health.emit(transition(h, 'acd.connection', 'down', 'ok'));
    h.health.emit(transition(h, 'acd.auth', 'down', 'ok'));
    await advance(h, 59_999);
    expect(h.connector.posts).toHaveLength(1);
    await advance(h, 1);
    expect(h.connector.posts).toHaveLength(2);
    expect(cardText(h.connector.posts[1]?.activity.attachments?.[0]?.content).match(/: down → ok/g)).toHaveLength(2);
  });

  it('alerts a team channel the bot was installed in by an admin, not one installed by a member', async () => {
    const byAdmin = { id: '19:ops@thread.tacv2', conversationType: 'channel', tenantId: TENANT };
    const byMember = { id: '19:random@thread.tacv2', conversationType: 'channel', tenantId: TENANT };
    await h.post(
      teamsActivity(h.connector.serviceUrl, {
        type: 'installationUpdate',
        action: 'add',
        conversation: byAdmin,
        from: ADMIN,
      }),
    );
    await h.post(
      teamsActivity(h.connector.serviceUrl, {
        type: 'installationUpdate',
        action: 'add',
        conversation: byMember,
        from: MEMBER,
      }),
    );
    h.connector.clear();
    h.health.emit(transition(h, 'subscriptions', 'ok', 'down'));
    await advance(h, 5_000);
    expect(h.connector.posts.map((p) => p.conversationId).sort()).toEqual(
      [byAdmin.id, `a:personal-${ADMIN.aadObjectId}`].sort(),
    );
  });

  it('stops alerting a conversation after the bot is uninstalled there', async () => {
    await h.post(teamsActivity(h.connector.serviceUrl, { type: 'installationUpdate', action: 'remove', from: ADMIN }));
    h.health.emit(transition(h, 'sync', 'ok', 'down'));
    await advance(h, 5_000);
    expect(h.connector.posts).toHaveLength(0);
  });
});
