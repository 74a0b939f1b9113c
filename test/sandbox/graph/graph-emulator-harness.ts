import { Agent, fetch } from 'undici';
import { ManualClock } from '../../../src/sandbox/graph/emulator-clock.js';
import { seedTenant, type EmulatedApp, type EmulatedTenant } from '../../../src/sandbox/graph/emulator-model.js';
import { createLocalTls, type LocalTls } from '../../../src/sandbox/tls/local-ca.js';
import {
  startGraphEmulator,
  type GraphEmulator,
  type GraphEmulatorOptions,
} from '../../../src/sandbox/graph/graph-emulator.js';

/** A started emulator on a manual clock plus a raw HTTPS client trusting its CA. */
export interface Harness {
  readonly emulator: GraphEmulator;
  readonly clock: ManualClock;
  readonly tenant: EmulatedTenant;
  call(
    method: string,
    path: string,
    init?: { token?: string; json?: unknown; form?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  appToken(): Promise<string>;
  userToken(userIndex: number, scope?: string): Promise<string>;
  close(): Promise<void>;
}

let sharedTls: Promise<LocalTls> | undefined;

export async function startHarness(
  userCount = 5,
  extra: Partial<GraphEmulatorOptions> = {},
  appSettings: Partial<EmulatedApp> = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const seeded = seedTenant({ userCount });
  const tenant: EmulatedTenant = { ...seeded, apps: [{ ...seeded.apps[0]!, ...appSettings }] };
  const emulator = await startGraphEmulator({
    tenants: [tenant],
    clock,
    allowHttpLoopback: true,
    tls: await (sharedTls ??= createLocalTls()),
    ...extra,
  });
  const dispatcher = new Agent({ connect: { ca: emulator.caCertPem } });
  const app = tenant.apps[0]!;
  const call: Harness['call'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(`${emulator.url}${path}`, { method, headers, body, dispatcher });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, body: parsed, text };
  };
  const token = async (form: Record<string, string>): Promise<string> => {
    const r = await call('POST', `/${tenant.id}/oauth2/v2.0/token`, {
      form: { client_id: app.clientId, client_secret: app.clientSecret, ...form },
    });
    return (r.body as { access_token: string }).access_token;
  };
  return {
    emulator,
    clock,
    tenant,
    call,
    appToken: () => token({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
    userToken: (i, scope = 'https://graph.microsoft.com/Presence.Read.All') => {
      const u = tenant.users[i]!;
      return token({ grant_type: 'password', username: u.userPrincipalName, password: u.password, scope });
    },
    async close() {
      await emulator.close();
      await dispatcher.close();
    },
  };
}
