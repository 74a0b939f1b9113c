/**
 * `npm run package [-- --env <name>]`: builds appPackage/build/appPackage.<env>.zip (manifest
 * with its ${{VAR}} placeholders filled, plus the two icons), like Teams Toolkit's
 * teamsApp/zipAppPackage. Values come from env/.env.<env>, env/.env.<env>.user and the process
 * environment (strongest last). The sandbox has offline defaults so the command works at once.
 */
import AdmZip from 'adm-zip';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Offline stand-ins for the sandbox (nothing is provisioned there); never used for other envs. */
export const SANDBOX_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  TEAMS_APP_ID: '6f0c9a1e-5d3b-4b7a-9c2e-5a11c0de0001',
  AAD_APP_CLIENT_ID: '6f0c9a1e-5d3b-4b7a-9c2e-5a11c0de0003',
  APP_NAME_SUFFIX: '-sandbox',
  TAB_DOMAIN: 'localhost:3978',
  TAB_ENDPOINT: 'https://localhost:3978',
});

/** The placeholder names a template uses, in order of first appearance. */
export const placeholdersOf = (template: string): string[] => [
  ...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '')),
];

/** Fills every ${{NAME}}; a name without a value is reported, never left in or blanked silently. */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<string, string | undefined>>,
): { ok: true; text: string } | { ok: false; missing: string[] } {
  const missing = placeholdersOf(template)
    .filter((name) => values[name] === undefined)
    .sort();
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, text: template.replace(PLACEHOLDER, (_m, name: string) => values[name] ?? '') };
}

/** Reads a dotenv file (KEY=value lines, # comments, optional quotes); missing file = {}. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || line.trimStart().startsWith('#')) continue;
    const value = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
    if (value !== '') values[match[1]] = value;
  }
  return values;
}

/** The values an environment's package is built with. */
export function envValues(
  root: string,
  env: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const fromProcess = Object.fromEntries(
    Object.entries(processEnv).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  return {
    ...(env === 'sandbox' ? SANDBOX_DEFAULTS : {}),
    ...readEnvFile(join(root, 'env', `.env.${env}`)),
    ...readEnvFile(join(root, 'env', `.env.${env}.user`)),
    ...fromProcess,
  };
}

export interface PackageOptions {
  /** The repository root (holds appPackage/ and env/). */
  readonly root: string;
  readonly env: string;
  /** Values to fill in; default: envValues(root, env). */
  readonly values?: Readonly<Record<string, string>>;
  /** Where the zip goes; default <root>/appPackage/build. */
  readonly outDir?: string;
}

/** Builds the zip and returns its path; throws with every missing variable named. */
export function buildAppPackage(options: PackageOptions): string {
  const appDir = join(options.root, 'appPackage');
  const filled = fillPlaceholders(
    readFileSync(join(appDir, 'manifest.json'), 'utf8'),
    options.values ?? envValues(options.root, options.env),
  );
  if (!filled.ok) {
    throw new Error(
      `appPackage/manifest.json needs ${filled.missing.join(', ')} for env "${options.env}": run the Teams Toolkit provision step or set them in env/.env.${options.env}`,
    );
  }
  const manifest = JSON.parse(filled.text) as { icons: { color: string; outline: string } };
  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  for (const icon of [manifest.icons.color, manifest.icons.outline])
    zip.addFile(icon, readFileSync(join(appDir, icon)));
  const outDir = options.outDir ?? join(appDir, 'build');
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `appPackage.${options.env}.zip`);
  zip.writeZip(path);
  return path;
}

function main(argv: readonly string[]): void {
  const at = argv.indexOf('--env');
  const env = (at >= 0 ? argv[at + 1] : undefined) ?? process.env.TEAMSFX_ENV ?? 'sandbox';
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const path = buildAppPackage({ root, env });
  process.stdout.write(`Built ${path}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
