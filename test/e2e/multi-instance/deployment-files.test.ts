import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { parseDockerfile, type DockerInstruction, type DockerStage } from './dockerfile-lint.js';

/**
 * There is no Docker engine where the tests run, so the Dockerfile and compose.yaml are checked
 * statically: what a build would copy exists, the runtime stage runs as a non-root user, and the
 * command it starts is exactly what `npm run build` writes.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** Where `npm run build` (tsc -p tsconfig.build.json) writes src/main.ts, relative to the repo. */
function builtMainPath(): string {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d: ts.Diagnostic) => {
      throw new Error(String(d.messageText));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, host);
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const [out] = ts.getOutputFileNames(parsed, join(ROOT, 'src/main.ts'), false);
  return posix.relative(ROOT.split('\\').join('/'), out!.split('\\').join('/'));
}

const all = (stage: DockerStage, keyword: string): DockerInstruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: DockerStage, keyword: string): DockerInstruction | undefined => all(stage, keyword).at(-1);

describe('Dockerfile (multi-stage, non-root)', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const workdir = last(runtime, 'WORKDIR')?.args[0] ?? '/';

  it('builds in one stage and runs on a slim image of the Node major CI tests (scripts/node24.sh) in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBe('build');
    const tested = /^NODE24_VERSION=(\d+)\./m.exec(read('scripts/node24.sh'))?.[1];
    expect(tested).toBe('24');
    expect(runtime.image).toBe(`node:${tested}-bookworm-slim`);
    expect(build.image).toBe(`node:${tested}-bookworm`);
  });

  it('the build stage installs from the lock file and runs scripts that exist', () => {
    const runs = all(build, 'RUN').map((r) => r.args.join(' '));
    expect(runs.some((r) => r.includes('npm ci'))).toBe(true);
    const scripts = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(scripts).toEqual(expect.arrayContaining(['build']));
    for (const script of scripts) expect(packageJson.scripts).toHaveProperty([script]);
    expect(runs.some((r) => r.includes('npm prune --omit=dev'))).toBe(true);
  });

  it('every COPY from the build context names a file or folder of the repository', () => {
    const copies = stages.flatMap((s) => all(s, 'COPY')).filter((c) => c.flags['from'] === undefined);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      for (const source of copy.args.slice(0, -1))
        expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    }
  });

  it('no COPY source from the context is excluded by .dockerignore (it would be missing in the build)', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = stages
      .flatMap((s) => all(s, 'COPY'))
      .filter((c) => c.flags['from'] === undefined)
      .flatMap((c) => c.args.slice(0, -1));
    for (const source of sources)
      expect({
        source,
        excludedBy: ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
      }).toEqual({ source, excludedBy: [] });
  });

  it('every COPY --from names an earlier stage, and the runtime copies the build output and production node_modules', () => {
    const names = stages.map((s) => s.name);
    for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY' && i.flags['from']))
      expect(names).toContain(copy.flags['from']);
    const fromBuild = all(runtime, 'COPY')
      .filter((c) => c.flags['from'] === 'build')
      .map((c) => c.args[0]);
    expect(fromBuild).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/package.json']));
  });

  it('runs as the unprivileged node user', () => {
    const user = last(runtime, 'USER')?.args[0];
    expect(user).toBe('node');
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('starts exactly the file npm run build writes for src/main.ts', () => {
    const cmd = last(runtime, 'CMD')?.exec;
    expect(cmd?.[0]).toBe('node');
    // Node's own options (V8 flags) come between node and the file, nothing else does.
    expect(cmd!.slice(1, -1).every((a) => a.startsWith('--'))).toBe(true);
    const built = builtMainPath();
    expect(posix.join(workdir, built)).toBe(posix.resolve(workdir, cmd!.at(-1)!));
    // The runtime stage copies the whole build output folder that holds it.
    expect(built.startsWith('dist/')).toBe(true);
  });

  it('exposes 3978, checks /healthz, and defaults to production mode', () => {
    expect(last(runtime, 'EXPOSE')?.args).toEqual(['3978']);
    expect(last(runtime, 'HEALTHCHECK')?.args.join(' ')).toContain('/healthz');
    expect(
      all(runtime, 'ENV')
        .map((e) => e.args.join(' '))
        .join(' '),
    ).toContain('PRESENCE_SYNC_MODE=production');
  });

  it('.dockerignore keeps secrets, local state and host node_modules out of the context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', 'env/*.user', '.git']));
  });
});

interface ComposeFile {
  services: Record<
    string,
    {
      build?: string;
      image?: string;
      depends_on?: Record<string, { condition: string }>;
      environment?: Record<string, string>;
      ports?: string[];
      deploy?: { replicas?: unknown };
      healthcheck?: { test: string[] };
      volumes?: string[];
    }
  >;
  volumes?: Record<string, unknown>;
}

describe('compose.yaml (app + PostgreSQL)', () => {
  const file = parse(read('compose.yaml')) as ComposeFile;
  const app = file.services['app']!;
  const postgres = file.services['postgres']!;

  it('builds the app from this Dockerfile and starts it after PostgreSQL is healthy', () => {
    expect(app.build).toBe('.');
    expect(app.depends_on?.['postgres']).toEqual({ condition: 'service_healthy' });
  });

  it('runs PostgreSQL 16 with a healthcheck and a named volume', () => {
    expect(postgres.image).toBe('postgres:16');
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    const [volume] = (postgres.volumes ?? [])[0]!.split(':');
    expect(Object.keys(file.volumes ?? {})).toContain(volume);
  });

  it('points every app instance at the shared database, in production mode, with the required secrets demanded', () => {
    const env = app.environment ?? {};
    expect(env['PRESENCE_SYNC_MODE']).toBe('production');
    expect(new URL(env['DATABASE_URL']!.replace(/\$\{[^}]+\}/g, 'x')).hostname).toBe('postgres');
    for (const required of [
      'SECRET_ENCRYPTION_KEY',
      'PUBLIC_BASE_URL',
      'MICROSOFT_APP_ID',
      'SECRET_GRAPH_CLIENT_SECRET',
    ])
      expect(env[required]).toMatch(/^\$\{\w+:\?/);
  });

  it('scales out: replicas are a setting and the host port is a range, so --scale app=N does not clash', () => {
    expect(app.deploy?.replicas).toBeDefined();
    expect(app.ports?.[0]).toMatch(/-\d+}?:3978$/);
  });
});
