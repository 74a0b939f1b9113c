import { decodeJwt } from 'jose';
import { startCxoneEmulator, type CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { emulatorClient } from './emulator-client.js';

describe('CXone emulator — identity and discovery (reference §1.2, §1.3, §9.1–9.2)', () => {
  let emu: CxoneEmulator;
  let c: ReturnType<typeof emulatorClient>;
  beforeAll(async () => {
    emu = await startCxoneEmulator({ tokenLifetimeSec: 60 });
    c = emulatorClient(emu);
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });

  it('publishes an OpenID configuration whose token endpoint is served here', async () => {
    const r = await c.call('GET', `${emu.url}/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.json.token_endpoint).toBe(`${emu.url}/auth/token`);
    expect(r.json.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic']);
  });

  it('issues tokens for the access-key password grant with Basic client auth, id_token carrying tenantId/icAgentId/icBUId', async () => {
    const r = await c.call('POST', `${emu.url}/auth/token`, {
      basic: true,
      form: {
        grant_type: 'password',
        username: emu.credentials.accessKeyId,
        password: emu.credentials.accessKeySecret,
      },
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    const claims = decodeJwt(r.json.id_token as string);
    expect(claims).toMatchObject({ tenantId: emu.tenantId, icBUId: '4500' });
    expect(claims.icAgentId).toBeDefined();
  });

  it('refuses a wrong access key (400 invalid_grant) and a wrong client (401 invalid_client)', async () => {
    const bad = await c.call('POST', `${emu.url}/auth/token`, {
      basic: true,
      form: { grant_type: 'password', username: 'x', password: 'y' },
    });
    expect([bad.status, bad.json.error]).toEqual([400, 'invalid_grant']);
    const noClient = await c.call('POST', `${emu.url}/auth/token`, {
      form: { grant_type: 'password', username: 'x', password: 'y' },
    });
    expect([noClient.status, noClient.json.error]).toEqual([401, 'invalid_client']);
  });

  it('renews with the refresh grant, once per refresh token', async () => {
    const first = await c.call('POST', `${emu.url}/auth/token`, {
      basic: true,
      form: {
        grant_type: 'password',
        username: emu.credentials.accessKeyId,
        password: emu.credentials.accessKeySecret,
      },
    });
    const form = { grant_type: 'refresh_token', refresh_token: first.json.refresh_token as string };
    expect((await c.call('POST', `${emu.url}/auth/token`, { basic: true, form })).status).toBe(200);
    expect((await c.call('POST', `${emu.url}/auth/token`, { basic: true, form })).status).toBe(400);
  });

  it('discovers the API endpoint by tenantId, pointing back at the emulator', async () => {
    const r = await c.call('GET', `${emu.url}/.well-known/cxone-configuration?tenantId=${emu.tenantId}`);
    expect(r.json).toMatchObject({ api_endpoint: emu.url, tenantId: emu.tenantId, area: 'na1' });
    expect((await c.call('GET', `${emu.url}/.well-known/cxone-configuration?tenantId=nope`)).status).toBe(404);
  });

  it('answers 401 without a token, and once the token expired by the emulator clock', async () => {
    expect((await c.call('GET', c.api('/agents/states'))).status).toBe(401);
    const token = await c.token();
    expect((await c.call('GET', c.api('/agents/states'), { token })).status).toBe(200);
    emu.clock.advance(61_000);
    expect((await c.call('GET', c.api('/agents/states'), { token })).status).toBe(401);
  });

  it('accepts any API version and the path prefix case-insensitively (reference §8)', async () => {
    const token = await c.token();
    const r = await c.call('GET', `${emu.url}/incontactapi/services/v31.0/agents/states`, { token });
    expect(r.status).toBe(200);
  });
});
