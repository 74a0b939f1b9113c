import { botIdentity, createBotAdapter } from '../../../src/adapters/bot/bot-cloud-adapter.js';
import { counterIds, RecordingLogger } from './support/bot-fakes.js';

const NONE = { httpsHosts: [], origins: [] };

describe('bot authentication settings', () => {
  const deps = { logger: new RecordingLogger(), ids: counterIds() };

  it('refuses to run unauthenticated outside the sandbox', () => {
    expect(() =>
      createBotAdapter(
        { productMode: 'production', auth: { mode: 'disabled-for-playground' }, serviceUrls: NONE },
        deps,
      ),
    ).toThrow('BOT_AUTH=disabled-for-playground is allowed only in the sandbox');
  });

  it('allows the unsigned Playground mode in the sandbox, sending as an identity without an audience', () => {
    expect(
      createBotAdapter({ productMode: 'sandbox', auth: { mode: 'disabled-for-playground' }, serviceUrls: NONE }, deps),
    ).toBeDefined();
    expect(botIdentity({ mode: 'disabled-for-playground' })).toEqual({});
  });

  it('sends proactive messages as the bot app id when authenticated', () => {
    expect(
      botIdentity({ mode: 'bot-framework', appId: 'app-1', appPassword: 'p', appType: 'MultiTenant' }),
    ).toMatchObject({ aud: 'app-1' });
  });
});
