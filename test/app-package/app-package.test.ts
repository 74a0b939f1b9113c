import type { AppManifest } from '@microsoft/app-manifest';
import AdmZip from 'adm-zip';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { buildAppPackage, envValues, fillPlaceholders, placeholdersOf } from '../../scripts/package-app.js';
import { BOT_COMMANDS } from '../../src/adapters/bot/bot-commands.js';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const template = readFileSync(join(ROOT, 'appPackage', 'manifest.json'), 'utf8');
const raw = JSON.parse(template) as { manifestVersion: string; $schema: string };

const appManifestPackage = createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json');
const fromAppManifest = createRequire(appManifestPackage);

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

/**
 * Validation exactly as @microsoft/app-manifest does it (ajv draft-04 + formats), against the
 * official Teams schema shipped inside that package (no network). Its own entry point cannot be
 * loaded under jest (it requires the ESM-only strip-bom), so its validator is assembled here.
 */
function validateManifest(manifest: unknown, version: string): string[] {
  const schema = JSON.parse(
    readFileSync(
      join(dirname(appManifestPackage), 'build', 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json'),
      'utf8',
    ),
  ) as object;
  const AjvDraft04 = fromAppManifest('ajv-draft-04') as new (options: object) => { compile(schema: object): Validate };
  const addFormats = fromAppManifest('ajv-formats') as (ajv: object, formats: string[]) => void;
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(schema);
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const SAMPLE = {
  TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555',
  AAD_APP_CLIENT_ID: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
  APP_NAME_SUFFIX: '-dev',
  TAB_DOMAIN: 'presence-sync.contoso.example',
  TAB_ENDPOINT: 'https://presence-sync.contoso.example',
};

function filled(values: Record<string, string> = SAMPLE): Record<string, unknown> {
  const result = fillPlaceholders(template, values);
  if (!result.ok) throw new Error(`missing ${result.missing.join(', ')}`);
  return JSON.parse(result.text) as Record<string, unknown>;
}

/** Width, height and RGBA pixels of an 8-bit RGBA PNG written with filter 0 (as scripts/make-icons.ts does). */
function decodePng(file: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  expect(file.subarray(1, 4).toString('ascii')).toBe('PNG');
  const width = file.readUInt32BE(16),
    height = file.readUInt32BE(20);
  expect([file[24], file[25]]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    if (file.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(file.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const data = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  for (let y = 0; y < height; y++) expect(data[y * stride]).toBe(0);
  return { width, height, pixel: (x, y) => [...data.subarray(y * stride + 1 + x * 4, y * stride + 5 + x * 4)] };
}

describe('the Teams app package', () => {
  it('uses exactly the placeholders the provisioning steps produce', () => {
    expect(placeholdersOf(template).sort()).toEqual([
      'AAD_APP_CLIENT_ID',
      'APP_NAME_SUFFIX',
      'TAB_DOMAIN',
      'TAB_ENDPOINT',
      'TEAMS_APP_ID',
    ]);
  });

  it(`validates against the official Teams manifest schema v${raw.manifestVersion} once filled in`, async () => {
    expect(raw.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${raw.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(validateManifest(filled(), raw.manifestVersion)).toEqual([]);
  });

  it('is rejected by the schema when a value is wrong (the validation really runs)', async () => {
    const errors = validateManifest(filled({ ...SAMPLE, AAD_APP_CLIENT_ID: 'not-a-guid' }), raw.manifestVersion);
    expect(errors.join('\n')).toMatch(/\/bots\/0\/botId/);
  });

  it('declares the bot in personal and team scope with the commands the bot answers', () => {
    const manifest = filled() as {
      bots: {
        botId: string;
        scopes: string[];
        commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[];
      }[];
    };
    const [bot] = manifest.bots;
    // One Entra app is both the bot and the product (config MICROSOFT_APP_ID).
    expect(bot?.botId).toBe(SAMPLE.AAD_APP_CLIENT_ID);
    expect(bot?.scopes).toEqual(['personal', 'team']);
    const expected = BOT_COMMANDS.map((c) => ({ title: c.name, description: c.description }));
    expect(bot?.commandLists.map((l) => l.scopes)).toEqual([['personal'], ['team']]);
    for (const list of bot?.commandLists ?? []) expect(list.commands).toEqual(expected);
  });

  it('has the admin pages as static tabs, a team tab, tab SSO and the valid domain', () => {
    const manifest = filled() as {
      staticTabs: { entityId: string; name?: string; contentUrl?: string }[];
      configurableTabs: { scopes: string[] }[];
      webApplicationInfo: { id: string; resource: string };
      validDomains: string[];
    };
    expect(manifest.staticTabs.filter((t) => t.name).map((t) => [t.entityId, t.name])).toEqual([
      ['setup', 'Setup'],
      ['rules', 'Rules'],
      ['users', 'Users'],
      ['health', 'Health Check'],
      ['logreader', 'Log Reader'],
      ['settings', 'Settings'],
    ]);
    expect(manifest.staticTabs.map((t) => t.entityId)).toContain('conversations');
    expect(manifest.staticTabs[1]?.contentUrl).toBe('https://presence-sync.contoso.example/tab/index.html?page=rules');
    expect(manifest.configurableTabs[0]?.scopes).toEqual(['team']);
    expect(manifest.webApplicationInfo).toEqual({
      id: SAMPLE.AAD_APP_CLIENT_ID,
      resource: `api://${SAMPLE.TAB_DOMAIN}/botid-${SAMPLE.AAD_APP_CLIENT_ID}`,
    });
    expect(manifest.validDomains).toEqual([SAMPLE.TAB_DOMAIN]);
  });

  it('has a 192×192 colour icon and a 32×32 white-on-transparent outline icon', () => {
    const color = decodePng(readFileSync(join(ROOT, 'appPackage', 'color.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.pixel(0, 0)[3]).toBe(255);
    const outline = decodePng(readFileSync(join(ROOT, 'appPackage', 'outline.png')));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const kinds = new Set<string>();
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const [r, g, b, a] = outline.pixel(x, y);
        kinds.add(
          a === 0
            ? 'transparent'
            : r === 255 && g === 255 && b === 255 && a === 255
              ? 'white'
              : `other ${r},${g},${b},${a}`,
        );
      }
    expect([...kinds].sort()).toEqual(['transparent', 'white']);
  });

  describe('npm run package', () => {
    let out: string;
    beforeAll(() => {
      out = mkdtempSync(join(tmpdir(), 'app-package-'));
    });
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it('zips the filled-in manifest and both icons, and nothing else', async () => {
      const path = buildAppPackage({ root: ROOT, env: 'dev', values: SAMPLE, outDir: out });
      expect(path).toBe(join(out, 'appPackage.dev.zip'));
      const zip = new AdmZip(path);
      expect(
        zip
          .getEntries()
          .map((e) => e.entryName)
          .sort(),
      ).toEqual(['color.png', 'manifest.json', 'outline.png']);
      const manifestText = zip.readAsText('manifest.json');
      expect(manifestText).not.toContain('${{');
      const manifest = JSON.parse(manifestText) as AppManifest & { id: string };
      expect(manifest.id).toBe(SAMPLE.TEAMS_APP_ID);
      expect(validateManifest(manifest, raw.manifestVersion)).toEqual([]);
      expect(zip.readFile('color.png')?.equals(readFileSync(join(ROOT, 'appPackage', 'color.png')))).toBe(true);
      expect(zip.readFile('outline.png')?.equals(readFileSync(join(ROOT, 'appPackage', 'outline.png')))).toBe(true);
    });

    it('names every missing value instead of building a broken package', () => {
      expect(() =>
        buildAppPackage({ root: ROOT, env: 'dev', values: { TEAMS_APP_ID: SAMPLE.TEAMS_APP_ID }, outDir: out }),
      ).toThrow('needs AAD_APP_CLIENT_ID, APP_NAME_SUFFIX, TAB_DOMAIN, TAB_ENDPOINT for env "dev"');
    });

    it('builds the sandbox package from offline defaults, valid against the schema', async () => {
      const values = envValues(ROOT, 'sandbox', {});
      const zip = new AdmZip(buildAppPackage({ root: ROOT, env: 'sandbox', values, outDir: out }));
      const manifest = JSON.parse(zip.readAsText('manifest.json')) as AppManifest;
      expect(validateManifest(manifest, raw.manifestVersion)).toEqual([]);
    });
  });
});
