import { jest } from '@jest/globals';
import { AgentsPlayground, eventually, freePort, type PlaygroundMessage } from './support/agents-playground.js';
import { startBotHarness, type BotHarness } from './support/bot-harness.js';
import { cardProblems, cardText } from './support/validate-card.js';

/** The playground's built-in world (teams-local-testing.md §2.1). */
const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000000001';
const USER = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020' };
const CHAT = 'presence-sync-e2e';

/**
 * A user's view: the bot runs as in the sandbox (auth relaxed only because the Playground does
 * not sign) and everything goes through the Microsoft 365 Agents Playground, as `npm run playground`.
 */
describe('talking to the bot in the Microsoft 365 Agents Playground', () => {
  let h: BotHarness;
  let pg: AgentsPlayground;
  let seen = 0;

  /** The next bot message after the ones already looked at; its card validated. */
  async function nextBotCard(): Promise<string> {
    const message = await eventually(() => pg.botMessages(USER.id)[seen], `bot message #${seen + 1}`);
    seen++;
    return cardOf(message);
  }
  function cardOf(message: PlaygroundMessage): string {
    const card = message.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
    expect(card).toBeDefined();
    expect(cardProblems(card)).toEqual([]);
    return cardText(card);
  }

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const port = await freePort();
    h = await startBotHarness({
      auth: 'playground',
      // The Playground's own Connector: its serviceUrl is http://localhost:<port>/_connector.
      trustedOrigins: [`http://localhost:${port}`],
      tenantId: PLAYGROUND_TENANT,
      admins: [USER.aadObjectId],
      alertOptions: { batchWindowMs: 1_000, minIntervalMs: 60_000 },
    });
    pg = await AgentsPlayground.start(h.url, CHAT, {}, port);
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    await h?.close();
  });

  it('greets on install and remembers the chat', async () => {
    await pg.install(CHAT);
    expect(await nextBotCard()).toContain('Presence Sync is installed');
    expect((await h.conversations.list(PLAYGROUND_TENANT)).map((r) => r.conversationId)).toEqual([CHAT]);
  });

  it.each([
    ['help', 'status <agent id | e-mail>'],
    ['health', 'Health Check: ✅ ok'],
    ['status 1001', 'Busy – In a call'],
    ['trace 1001', '**acd.event**'],
    ['rules', 'Voice calls show In a call'],
    ['hello there', 'I did not understand "hello there"'],
  ])('answers "%s" with a card', async (text, expected) => {
    await pg.say(CHAT, USER.id, text);
    expect(await nextBotCard()).toContain(expected);
  });

  it('alerts the chat proactively after a fault is injected', async () => {
    h.health.emit({
      tenantId: PLAYGROUND_TENANT,
      component: 'acd.connection',
      from: 'ok',
      to: 'down',
      detail: 'CXone unreachable (injected)',
      at: h.time.clock.now(),
    });
    h.time.advance(1_000);
    await h.runtime.alerts.idle();
    const text = await nextBotCard();
    expect(text).toContain('CXone connection (acd.connection)**: ok → down');
    expect(text).toContain('CXone unreachable (injected)');
  });
});
