import { createHash, randomBytes } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { ManualClock } from '../../../src/sandbox/graph/emulator-clock.js';
import { seedTenant, type EmulatedTenant, type EmulatedUser } from '../../../src/sandbox/graph/emulator-model.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/sandbox/graph/graph-emulator.js';
import { createLocalTls, type LocalTls } from '../../../src/sandbox/tls/local-ca.js';

export const REDIRECT = 'https://presence.contoso.test/auth-end.html';

export interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/**
 * Two tenants behind one emulator: `home` (the app consented, an admin, users) and `guest` (the
 * same multi-tenant app not consented yet). A cookie-keeping client plays the browser.
 */
export interface EntraRig {
  readonly emulator: GraphEmulator;
  readonly clock: ManualClock;
  readonly home: EmulatedTenant;
  readonly guest: EmulatedTenant;
  readonly clientId: string;
  readonly secret: string;
  /** The guest tenant's directory admin. */
  readonly guestAdmin: EmulatedUser;
  browser(): Browser;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Answer>;
  get(path: string): Promise<Answer>;
  close(): Promise<void>;
}

export interface Browser {
  open(pathOrUrl: string): Promise<Answer>;
  submit(page: Answer, fields: Record<string, string>, formIndex?: number): Promise<Answer>;
}

let tls: Promise<LocalTls> | undefined;

export async function startEntraRig(): Promise<EntraRig> {
  const clock = new ManualClock();
  const clientId = '11111111-2222-4333-8444-555555555555';
  const secret = 'rig-secret';
  const base = (label: string, consented: boolean): EmulatedTenant => {
    const t = seedTenant({ tenantLabel: label, userCount: 2, clientId, clientSecret: secret });
    const admin: EmulatedUser = {
      id: `${t.id.slice(0, 30)}adm`,
      userPrincipalName: `admin@${label}.test`,
      displayName: `${label} admin`,
      password: 'pw-admin',
      directoryRoles: ['Global Administrator'],
      appRoles: ['PresenceSync.Admin'],
    };
    return {
      ...t,
      apps: [{ ...t.apps[0]!, consented, redirectUris: [REDIRECT, 'http://localhost/auth-end.html'] }],
      users: [admin, ...t.users],
    };
  };
  const home = base('contoso', true);
  const guest = base('fabrikam', false);
  const emulator = await startGraphEmulator({ tenants: [home, guest], clock, tls: await (tls ??= createLocalTls()) });
  const dispatcher = new Agent({ connect: { ca: emulator.caCertPem } });
  const send = async (url: string, init: { method: string; body?: string; headers: Record<string, string> }) => {
    const res = await fetch(url.startsWith('https://') ? url : `${emulator.url}${url}`, {
      ...init,
      redirect: 'manual',
      dispatcher,
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    const location = res.headers.get('location') ?? undefined;
    return { res, answer: { status: res.status, text, json, ...(location ? { location } : {}) } };
  };
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
  return {
    emulator,
    clock,
    home,
    guest,
    clientId,
    secret,
    guestAdmin: guest.users[0]!,
    browser() {
      let cookie = '';
      const keep = (res: { headers: { get(n: string): string | null } }): void => {
        const set = res.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!;
      };
      return {
        async open(url) {
          const { res, answer } = await send(url, { method: 'GET', headers: cookie ? { cookie } : {} });
          keep(res);
          return answer;
        },
        async submit(page, fields, formIndex) {
          const forms = [...page.text.matchAll(/<form method="post" action="([^"]+)">(.*?)<\/form>/gs)];
          const form = forms[formIndex ?? forms.length - 1]!;
          const hidden = Object.fromEntries(
            [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
          );
          const { res, answer } = await send(form[1]!.replace(/&amp;/g, '&'), {
            method: 'POST',
            body: new URLSearchParams({ ...hidden, ...fields }).toString(),
            headers: { ...formHeaders, ...(cookie ? { cookie } : {}) },
          });
          keep(res);
          return answer;
        },
      };
    },
    async post(path, form, headers = {}) {
      return (
        await send(path, {
          method: 'POST',
          body: new URLSearchParams(form).toString(),
          headers: { ...formHeaders, ...headers },
        })
      ).answer;
    },
    async get(path) {
      return (await send(path, { method: 'GET', headers: {} })).answer;
    },
    async close() {
      await emulator.close();
      await dispatcher.close();
    },
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(tenant: string, params: Record<string, string>): string {
  return `/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({ response_type: 'code', ...params }).toString()}`;
}

export function redirectParams(answer: Answer): URLSearchParams {
  return new URL(answer.location!).searchParams;
}
