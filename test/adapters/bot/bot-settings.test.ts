import { botAdapterOptions } from '../../../src/adapters/bot/bot-settings.js';

describe('bot settings → adapter options', () => {
  const app = { appId: '8d1f6b1e-2f0c-4a7e-9a51-5b2b0c6f1a11', appSecret: 's3cret', appType: 'MultiTenant' as const };

  it('uses Bot Framework authentication by default, also in the sandbox', () => {
    expect(botAdapterOptions({ mode: 'sandbox', ...app })).toEqual({
      ok: true,
      value: {
        productMode: 'sandbox',
        auth: { mode: 'bot-framework', appId: app.appId, appPassword: 's3cret', appType: 'MultiTenant' },
        serviceUrls: { httpsHosts: [], origins: ['http://localhost:56150', 'http://127.0.0.1:56150'] },
      },
    });
  });

  it('relaxes auth for the Playground only when asked, and only in the sandbox', () => {
    expect(botAdapterOptions({ mode: 'sandbox', botAuth: 'disabled-for-playground', appType: 'MultiTenant' })).toEqual({
      ok: true,
      value: {
        productMode: 'sandbox',
        auth: { mode: 'disabled-for-playground' },
        serviceUrls: { httpsHosts: [], origins: ['http://localhost:56150', 'http://127.0.0.1:56150'] },
      },
    });
    expect(botAdapterOptions({ mode: 'production', botAuth: 'disabled-for-playground', ...app })).toMatchObject({
      ok: false,
      error: { code: 'BOT.AUTH_DISABLED_OUTSIDE_SANDBOX' },
    });
  });

  it.each([
    [{ mode: 'production' as const, appType: 'MultiTenant' as const }, 'BOT.APP_ID_MISSING'],
    [{ mode: 'production' as const, appType: 'MultiTenant' as const, appId: app.appId }, 'BOT.APP_SECRET_MISSING'],
    [{ mode: 'production' as const, ...app, appType: 'SingleTenant' as const }, 'BOT.APP_TENANT_MISSING'],
  ])('refuses incomplete Bot Framework settings (%#: %s)', (settings, code) => {
    expect(botAdapterOptions(settings)).toMatchObject({ ok: false, error: { code } });
  });
});
