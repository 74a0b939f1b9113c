import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fillPlaceholders } from '../../scripts/package-app.js';
import { compose, type App } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { ADMIN_ROLE, SUPPORT_ROLE } from '../../src/domain/access.js';
import { CONFIGURE_PARAM, PAGES, pageFromParam, pageParam } from '../../tabs/src/page-catalog.js';
import { env } from '../e2e/sync/sandbox-harness.js';
import { ensureTabBuilt } from '../e2e/tab/tab-harness.js';

/**
 * The app package (appPackage/manifest.json), the Entra app (aad.manifest.json), the tab's pages
 * and the routes the composed product serves, held against each other: a URL Teams or Entra is
 * given must open something, a role the code checks must exist on the Entra app.
 */
const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const ENDPOINT = 'https://presence-sync.contoso.example';
const VALUES = {
  TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555',
  AAD_APP_CLIENT_ID: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
  AAD_APP_OBJECT_ID: 'cccccccc-dddd-4eee-8fff-000000000000',
  AAD_APP_ACCESS_AS_USER_PERMISSION_ID: 'dddddddd-eeee-4fff-8000-111111111111',
  APP_NAME_SUFFIX: '',
  TAB_DOMAIN: 'presence-sync.contoso.example',
  TAB_ENDPOINT: ENDPOINT,
};

function filled<T>(file: string): T {
  const r = fillPlaceholders(readFileSync(join(ROOT, file), 'utf8'), VALUES);
  if (!r.ok) throw new Error(`${file} needs ${r.missing.join(', ')}`);
  return JSON.parse(r.text) as T;
}

interface TeamsManifest {
  developer: { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  staticTabs: { entityId: string; name?: string; contentUrl?: string; websiteUrl?: string }[];
  configurableTabs: { configurationUrl: string }[];
  webApplicationInfo: { id: string; resource: string };
}
interface EntraManifest {
  appId: string;
  identifierUris: string[];
  appRoles: { value: string; isEnabled: boolean; id: string }[];
  oauth2Permissions: { value: string; isEnabled: boolean }[];
  requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[];
  replyUrlsWithType: { url: string; type: string }[];
}
const teams = filled<TeamsManifest>('appPackage/manifest.json');
const entra = filled<EntraManifest>('aad.manifest.json');

const tabUrls = teams.staticTabs.flatMap((t) => (t.contentUrl ? [t] : []));
const pageOf = (url: string): string | null => new URL(url).searchParams.get('page');

/** Every `'PresenceSync.<Role>'` string literal in src/: the roles the code checks. */
function rolesInCode(dir = join(ROOT, 'src')): Set<string> {
  const found = new Set<string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rolesInCode(path).forEach((r) => found.add(r));
    else if (name.endsWith('.ts'))
      for (const m of readFileSync(path, 'utf8').matchAll(/['"`](PresenceSync\.[A-Z][A-Za-z]*)['"`]/g))
        found.add(m[1]!);
  }
  return found;
}

describe('the app package, the Entra app and the tab agree', () => {
  it('opens the page each static tab names, and every page of the tab has a static tab', () => {
    for (const tab of tabUrls) {
      expect([tab.entityId, pageFromParam(pageOf(tab.contentUrl!))]).toEqual([tab.entityId, expect.any(String)]);
      expect(tab.websiteUrl).toBe(tab.contentUrl);
      // The entity id is what Teams reports in the context (page.id): it must open the same page.
      expect(pageFromParam(tab.entityId)).toBe(pageFromParam(pageOf(tab.contentUrl!)));
    }
    expect(tabUrls.map((t) => pageFromParam(pageOf(t.contentUrl!))).sort()).toEqual([...PAGES].sort());
    expect(pageFromParam('logreader')).toBe('log');
    expect(pageFromParam(pageParam('log'))).toBe('log');
    expect(pageFromParam('no-such-page')).toBeUndefined();
  });

  it('points the channel tab at the configuration page', () => {
    expect(teams.configurableTabs.map((t) => pageOf(t.configurationUrl))).toEqual([CONFIGURE_PARAM]);
  });

  it('declares on the Entra app every app role the code checks, enabled, with distinct ids', () => {
    const declared = entra.appRoles.filter((r) => r.isEnabled).map((r) => r.value);
    expect(rolesInCode()).toEqual(new Set([ADMIN_ROLE, SUPPORT_ROLE]));
    for (const role of rolesInCode()) expect(declared).toContain(role);
    expect(new Set(entra.appRoles.map((r) => r.id)).size).toBe(entra.appRoles.length);
  });

  it('exposes the API scope the tab requests through Teams SSO, on the resource the app package names', () => {
    expect(teams.webApplicationInfo.id).toBe(entra.appId);
    expect(entra.identifierUris).toContain(teams.webApplicationInfo.resource);
    expect(entra.oauth2Permissions.filter((p) => p.isEnabled).map((p) => p.value)).toEqual(['access_as_user']);
  });

  it('asks for every delegated Graph scope the code requests (owner sign-in, people search)', () => {
    const graph = entra.requiredResourceAccess.find((r) => r.resourceAppId === 'Microsoft Graph');
    const scopes = graph?.resourceAccess.filter((a) => a.type === 'Scope').map((a) => a.id) ?? [];
    expect(scopes).toEqual(expect.arrayContaining(['Presence.Read.All', 'offline_access', 'User.ReadBasic.All']));
  });

  describe('against the composed product (sandbox mode, real HTTP)', () => {
    let dir: string;
    let app: App;
    let base: string;
    beforeAll(async () => {
      await ensureTabBuilt();
      dir = mkdtempSync(join(tmpdir(), 'app-consistency-'));
      app = await compose(loadConfig({ cwd: dir, env: env(dir) }));
      base = `http://127.0.0.1:${await app.start()}`;
    }, 120_000);
    afterAll(async () => {
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const local = (url: string): string => {
      expect(url.startsWith(`${ENDPOINT}/`)).toBe(true);
      return base + url.slice(ENDPOINT.length);
    };

    it('serves the tab at every static tab and configuration URL', async () => {
      const urls = [
        ...tabUrls.flatMap((t) => [t.contentUrl!, t.websiteUrl!]),
        ...teams.configurableTabs.map((t) => t.configurationUrl),
      ];
      for (const url of urls) {
        const res = await fetch(local(url));
        expect([url, res.status, res.headers.get('content-type')]).toEqual([url, 200, 'text/html; charset=utf-8']);
        expect(await res.text()).toContain('<div id="root">');
      }
    });

    it('serves the privacy statement and the terms of use the app package links to', async () => {
      for (const [url, title] of [
        [teams.developer.privacyUrl, 'Presence Sync privacy statement'],
        [teams.developer.termsOfUseUrl, 'Presence Sync terms of use'],
      ] as const) {
        const res = await fetch(local(url));
        expect([url, res.status, res.headers.get('content-type')]).toEqual([url, 200, 'text/html; charset=utf-8']);
        expect(await res.text()).toContain(`<h1>${title}</h1>`);
      }
    });

    it('serves every redirect URI the Entra app registers (a route, not a 404)', async () => {
      expect(entra.replyUrlsWithType.length).toBeGreaterThan(0);
      for (const { url } of entra.replyUrlsWithType) {
        const res = await fetch(local(url));
        expect([url, res.status]).not.toEqual([url, 404]);
        expect(res.status).toBeLessThan(500);
      }
      expect((await fetch(`${base}/auth-end.html`)).status).toBe(404); // the check can fail
    });
  });
});
