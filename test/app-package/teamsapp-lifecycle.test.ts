import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { placeholdersOf, readEnvFile } from '../../scripts/package-app.js';
import { BOT_MESSAGES_PATH } from '../../src/adapters/bot/bot-routes.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
// js-yaml (installed with the toolchain) only parses here; nothing in src depends on it.
const yaml = createRequire(import.meta.url)('js-yaml') as { safeLoad(text: string): unknown };

interface Step {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
type Lifecycle = {
  version: string;
  environmentFolderPath: string;
  provision: Step[];
  deploy: Step[];
  publish?: Step[];
};
const load = (file: string) => yaml.safeLoad(read(file)) as Lifecycle;

/** Values the operator or the Toolkit supplies rather than a provision step. */
const SUPPLIED = [
  'TEAMSFX_ENV',
  'APP_NAME_SUFFIX',
  'BOT_ENDPOINT',
  'TAB_ENDPOINT',
  'TAB_DOMAIN',
  'AAD_APP_ACCESS_AS_USER_PERMISSION_ID',
];

describe.each([
  ['teamsapp.yml', 'dev'],
  ['teamsapp.local.yml', 'local'],
])('%s (env %s)', (file, env) => {
  const lifecycle = load(file);
  const uses = (steps: Step[]) => steps.map((s) => s.uses);

  it('provisions the Entra app, the Teams app and the bot, then validates, zips and uploads the package', () => {
    expect(lifecycle.environmentFolderPath).toBe('./env');
    expect(uses(lifecycle.provision)).toEqual([
      'aadApp/create',
      'teamsApp/create',
      'aadApp/update',
      'botFramework/create',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    const bot = lifecycle.provision.find((s) => s.uses === 'botFramework/create');
    expect(bot?.with).toMatchObject({
      botId: '${{AAD_APP_CLIENT_ID}}',
      messagingEndpoint: `\${{BOT_ENDPOINT}}${BOT_MESSAGES_PATH}`,
    });
    const zip = lifecycle.provision.find((s) => s.uses === 'teamsApp/zipAppPackage');
    expect(zip?.with).toMatchObject({
      manifestPath: './appPackage/manifest.json',
      outputZipPath: './appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip',
    });
  });

  it('fills every placeholder of the app and Entra manifests', () => {
    const written = lifecycle.provision.flatMap((s) => Object.values(s.writeToEnvironmentFile ?? {}));
    const needed = new Set([
      ...placeholdersOf(read('appPackage/manifest.json')),
      ...placeholdersOf(read('aad.manifest.json')),
    ]);
    expect([...needed].filter((name) => !written.includes(name) && !SUPPLIED.includes(name))).toEqual([]);
  });

  it('has an env file that names what the operator supplies, with no secrets in it', () => {
    const values = read(`env/.env.${env}`);
    for (const name of ['TEAMSFX_ENV', 'BOT_ENDPOINT', 'TAB_ENDPOINT', 'TAB_DOMAIN'])
      expect(values).toMatch(new RegExp(`^${name}=`, 'm'));
    expect(Object.keys(readEnvFile(join(ROOT, 'env', `.env.${env}`))).filter((k) => k.startsWith('SECRET_'))).toEqual(
      [],
    );
  });

  it('writes the runtime settings (decrypted) to a gitignored .user file', () => {
    const step = lifecycle.deploy.find((s) => s.uses === 'file/createOrUpdateEnvironmentFile');
    const target = String(step?.with?.target ?? '');
    expect(target).toMatch(/^\.\/env\/\.env\..+\.user$/);
    expect(step?.with?.envs).toMatchObject({ BOT_AUTH: 'bot-framework', MICROSOFT_APP_ID: '${{AAD_APP_CLIENT_ID}}' });
    const concrete = target.replace('${{TEAMSFX_ENV}}', env);
    expect(execFileSync('git', ['check-ignore', concrete], { cwd: ROOT }).toString().trim()).toBe(concrete);
  });
});

describe('teamsapp.yml publish', () => {
  it('validates and submits the package to the org catalog', () => {
    expect(load('teamsapp.yml').publish?.map((s) => s.uses)).toEqual([
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
      'teamsApp/publishAppPackage',
    ]);
  });
});

describe('aad.manifest.json', () => {
  const manifest = JSON.parse(read('aad.manifest.json')) as {
    signInAudience: string;
    accessTokenAcceptedVersion: number;
    requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: 'Role' | 'Scope' }[] }[];
    appRoles: { value: string; allowedMemberTypes: string[]; isEnabled: boolean }[];
    oauth2Permissions: { value: string }[];
    preAuthorizedApplications: { appId: string }[];
  };
  const graph =
    manifest.requiredResourceAccess.find((r) => r.resourceAppId === 'Microsoft Graph')?.resourceAccess ?? [];

  it('asks for the Graph application permissions the product needs', () => {
    const roles = graph.filter((p) => p.type === 'Role').map((p) => p.id);
    expect(roles).toEqual(expect.arrayContaining(['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All']));
  });

  it('asks for delegated Presence.Read.All with offline_access (subscription owners, on-behalf-of)', () => {
    expect(graph.filter((p) => p.type === 'Scope').map((p) => p.id)).toEqual(
      expect.arrayContaining(['Presence.Read.All', 'offline_access']),
    );
  });

  it('defines the admin app role and the tab SSO scope for the Teams clients', () => {
    expect(manifest.appRoles).toContainEqual(
      expect.objectContaining({ value: 'PresenceSync.Admin', allowedMemberTypes: ['User'], isEnabled: true }),
    );
    expect(manifest.oauth2Permissions.map((p) => p.value)).toEqual(['access_as_user']);
    expect(manifest.preAuthorizedApplications.map((a) => a.appId)).toEqual(
      expect.arrayContaining(['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346']),
    );
    expect(manifest).toMatchObject({ signInAudience: 'AzureADMultipleOrgs', accessTokenAcceptedVersion: 2 });
  });
});
