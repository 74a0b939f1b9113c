import { BotLinks } from '../../../src/adapters/bot/bot-cards.js';
import { MemoryAlertStateStore } from '../../application/fakes/memory-shared-state.js';
import { botIdentity, createBotAdapter } from '../../../src/adapters/bot/bot-cloud-adapter.js';
import { ProactiveAlerts } from '../../../src/adapters/bot/bot-proactive-alerts.js';
import type { BotHealthTransition } from '../../../src/adapters/bot/bot-queries.js';
import { activityText } from '../../../src/sandbox/bot-connector/bot-connector-model.js';
import {
  startBotConnectorEmulator,
  type BotConnectorEmulator,
} from '../../../src/sandbox/bot-connector/bot-connector-emulator.js';
import { counterIds, InMemoryConversationStore, ManualTime, RecordingLogger } from './support/bot-fakes.js';

const TENANT = 'tenant-1';

/** The conversation references live in the store: it can be the component that is down. */
class FlakyConversationStore extends InMemoryConversationStore {
  broken = false;
  override async list(tenantId: string) {
    if (this.broken) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return super.list(tenantId);
  }
}
const ADMIN_CHAT = 'a:admin-chat';

/**
 * Delivery of proactive alerts through the Agents SDK's CloudAdapter to the Bot Connector emulator
 * over HTTP: what the Connector answers decides whether a card is retried, dropped or forgotten.
 */
describe('proactive alert delivery through the Bot Connector', () => {
  let connector: BotConnectorEmulator;
  let time: ManualTime;
  let logger: RecordingLogger;
  let conversations: FlakyConversationStore;
  let alerts: ProactiveAlerts;

  const transition = (
    to: BotHealthTransition['to'],
    from: BotHealthTransition['from'] = 'ok',
  ): BotHealthTransition => ({
    tenantId: TENANT,
    component: 'acd.connection',
    from,
    to,
    detail: 'CXone answered 503',
    at: time.clock.now(),
  });
  const advance = async (ms: number) => {
    time.advance(ms);
    await alerts.idle();
  };
  const received = () => connector.model.activities(TENANT).map((a) => activityText(a.activity));
  const logged = (msg: string) => logger.lines.filter((l) => l.msg?.startsWith(msg));

  beforeEach(async () => {
    connector = await startBotConnectorEmulator();
    connector.model.addConversation({ id: ADMIN_CHAT, tenantId: TENANT });
    time = new ManualTime();
    logger = new RecordingLogger();
    conversations = new FlakyConversationStore();
    await conversations.put({
      tenantId: TENANT,
      conversationId: ADMIN_CHAT,
      scope: 'personal',
      installedBy: 'admin-1',
      reference: {
        channelId: 'msteams',
        serviceUrl: connector.serviceUrl,
        conversation: { id: ADMIN_CHAT, tenantId: TENANT },
        bot: { id: '28:bot' },
        user: { id: '29:admin', aadObjectId: 'admin-1' },
      },
    });
    const adapter = createBotAdapter(
      {
        productMode: 'sandbox',
        auth: { mode: 'disabled-for-playground' },
        serviceUrls: { httpsHosts: [], origins: [connector.serviceUrl] },
      },
      { logger, ids: counterIds() },
    );
    alerts = new ProactiveAlerts(
      {
        adapter,
        identity: botIdentity({ mode: 'disabled-for-playground' }),
        conversations,
        alertStates: new MemoryAlertStateStore(),
        queries: { roleOf: async (_t, id) => (id === 'admin-1' ? 'admin' : 'member') },
        links: new BotLinks('3c0d5a7e-1b2c-4d3e-8f90-a1b2c3d4e5f6'),
        scheduler: time,
        clock: time.clock,
        logger,
      },
      { batchWindowMs: 1_000, minIntervalMs: 0, retryBaseMs: 10_000, maxAttempts: 3 },
    );
  });
  afterEach(async () => {
    alerts.stop();
    await connector.close();
  });

  it('a card reaches the admin chat as a new message (not a reply), naming the component and the change', async () => {
    alerts.accept(transition('down'));
    await advance(1_000);
    const [only] = connector.model.activities(TENANT);
    expect(only).toMatchObject({ conversationId: ADMIN_CHAT });
    expect(only?.replyToId).toBeUndefined();
    expect(activityText(only!.activity)).toMatch(/acd\.connection\W+ok → down/);
    expect(logged('proactive health alert sent')[0]?.obj).toMatchObject({ delivered: 1 });
  });

  it('a Connector throttling delays the card; it is redelivered, not lost', async () => {
    connector.model.injectFault({ status: 429, times: 1_000, retryAfterSec: 0 });
    alerts.accept(transition('down'));
    await advance(1_000);
    expect(received()).toEqual([]);
    expect(logged('alert not delivered: will retry')[0]?.obj).toMatchObject({
      status: 429,
      attempt: 1,
      retryInMs: 10_000,
    });
    expect(logged('proactive health alert sent')[0]?.obj).toMatchObject({ delivered: 0 });
    connector.model.clearFaults();
    await advance(9_999);
    expect(received()).toEqual([]);
    await advance(1);
    expect(received()).toHaveLength(1);
    expect(received()[0]).toMatch(/ok → down/);
  });

  it('honours a Retry-After longer than its own backoff', async () => {
    // The Agents SDK's Connector client does not retry by itself: the first answer is the one we see.
    connector.model.injectFault({ status: 503, times: 1, retryAfterSec: 60 });
    alerts.accept(transition('down'));
    await advance(1_000);
    expect(logged('alert not delivered: will retry')[0]?.obj).toMatchObject({ status: 503, retryInMs: 60_000 });
    await advance(59_999);
    expect(received()).toEqual([]);
    await advance(1);
    expect(received()).toHaveLength(1);
  });

  it('the recovery card follows a fault card that had to be redelivered, in order', async () => {
    connector.model.injectFault({ status: 429, times: 1_000, retryAfterSec: 0 });
    alerts.accept(transition('down'));
    await advance(1_000);
    connector.model.clearFaults();
    alerts.accept(transition('ok', 'down'));
    await advance(1_000);
    await advance(10_000);
    expect(
      received()
        .map((t) => (/ → down/.test(t) ? 'down' : / → ok/.test(t) ? 'recovered' : t))
        .sort(),
    ).toEqual(['down', 'recovered']);
  });

  it('gives up after the last attempt, loudly', async () => {
    connector.model.injectFault({ status: 429, times: 100_000, retryAfterSec: 0 });
    alerts.accept(transition('down'));
    await advance(1_000);
    await advance(10_000);
    await advance(20_000);
    expect(logged('alert not delivered: will retry')).toHaveLength(2);
    expect(logged('alert not delivered: giving up')[0]).toMatchObject({
      level: 'error',
      obj: { attempt: 3, status: 429 },
    });
    await advance(600_000);
    expect(received()).toEqual([]);
  }, 60_000);

  it('forgets a conversation the Connector no longer knows (404) instead of retrying it', async () => {
    connector.model.removeConversation(ADMIN_CHAT);
    alerts.accept(transition('down'));
    await advance(1_000);
    expect(await conversations.list(TENANT)).toEqual([]);
    expect(logged('alert not delivered: will retry')).toEqual([]);
  });

  it('the store being down does not stop its own alert: the admin conversations read before are used', async () => {
    alerts.accept(transition('down'));
    await advance(1_000);
    conversations.broken = true;
    alerts.accept({ ...transition('down'), component: 'store', detail: 'connect ECONNREFUSED' });
    await advance(1_000);
    expect(received()).toHaveLength(2);
    expect(received()[1]).toMatch(/store\W+ok → down/);
  });

  it('with no admin conversation read yet, a card waits for the store instead of being lost, then tells the whole path', async () => {
    conversations.broken = true;
    alerts.accept({ ...transition('down'), component: 'store' });
    await advance(1_000);
    expect(received()).toEqual([]);
    expect(logged('admin conversations unreadable: alert held back')).toHaveLength(1);
    alerts.accept({ ...transition('ok', 'down'), component: 'store' });
    conversations.broken = false;
    await advance(10_000);
    expect(received()).toHaveLength(1);
    expect(received()[0]).toMatch(/store\W+ok → down → ok/);
  });

  it('does not send to a conversation installed by a member', async () => {
    await conversations.put({ ...(await conversations.list(TENANT))[0]!, installedBy: 'member-1' });
    alerts.accept(transition('down'));
    await advance(1_000);
    expect(received()).toEqual([]);
    expect(logged('health alert not sent: no admin')).toHaveLength(1);
  });
});
