import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repeatedKeys } from './compose/log-lines.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Run {
  readonly exit: Promise<number | null>;
  readonly out: () => string;
  readonly child: ReturnType<typeof spawn>;
}

function runMain(env: Record<string, string>, cwd: string): Run {
  // `node --import tsx` rather than the tsx CLI: no wrapper process between the signal and main.ts.
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out, exit: new Promise((done) => child.on('exit', (code) => done(code))) };
}

async function waitFor(pattern: RegExp, run: Run): Promise<RegExpMatchArray> {
  for (;;) {
    const m = run.out().match(pattern);
    if (m) return m;
    await Promise.race([new Promise((r) => setTimeout(r, 50)), run.exit]);
    if (run.child.exitCode !== null) throw new Error(`main exited early:\n${run.out()}`);
  }
}

/** tsx compiles the whole tree at start: ~20 s alone, over the default 30 s on a loaded machine. */
const PROCESS_TEST_MS = 120_000;

describe('npm start (src/main.ts as a process)', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'presence-main-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it(
    'serves /readyz and exits 0 on SIGTERM after a graceful shutdown',
    async () => {
      const run = runMain({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, cwd);
      const [, port] = await waitFor(/"port":(\d+).*presence-sync listening/, run);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      const lines = run.out().split('\n').filter(Boolean);
      const shuttingDown = lines.findIndex((l) => l.includes('"msg":"shutting down"'));
      expect(shuttingDown).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(/"msg":"stopped"/);
      // The sandbox's start logs every kind of adapter line once: none may repeat a key, nothing is deprecated.
      expect(lines.filter((l) => repeatedKeys(l).length > 0)).toEqual([]);
      expect(run.out()).not.toMatch(/DeprecationWarning|\(node:\d+\) \[/);
    },
    PROCESS_TEST_MS,
  );

  it(
    'refuses production without what the tab, the bot and Graph need, naming each variable, and reads no sandbox file',
    async () => {
      const run = runMain({ PRESENCE_SYNC_MODE: 'production', DATABASE_URL: 'mysql://u:pa55word@db/x' }, cwd);
      expect(await run.exit).toBe(1);
      for (const name of ['SECRET_ENCRYPTION_KEY', 'PUBLIC_BASE_URL', 'MICROSOFT_APP_ID', 'SECRET_GRAPH_CLIENT_SECRET'])
        expect(run.out()).toMatch(new RegExp(`- ${name}: expected .* in production, got nothing`));
      expect(run.out()).toContain(
        'DATABASE_URL: expected a postgres:// or postgresql:// URL, got "mysql://u:***@db/x"',
      );
      expect(run.out()).not.toContain('pa55word');
    },
    PROCESS_TEST_MS,
  );

  it(
    'says at start-up in production that no tenant is onboarded yet, and how one comes to exist',
    async () => {
      const run = runMain(
        {
          PRESENCE_SYNC_MODE: 'production',
          PORT: '0',
          HOST: '127.0.0.1',
          PUBLIC_BASE_URL: 'https://sync.contoso.test',
          SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
          MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
          SECRET_GRAPH_CLIENT_SECRET: 'graph-secret',
          GRAPH_RICH_NOTIFICATIONS: 'off',
        },
        cwd,
      );
      await waitFor(/no tenant onboarded yet.*\n/, run);
      expect(run.out()).toMatch(/"env":"production","mode":"production"|"mode":"production"/);
      expect(run.out()).not.toContain('"env":"sandbox"');
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'refuses a bad setting with exit code 1 and a message naming the variable',
    async () => {
      const run = runMain({ PORT: 'eighty' }, cwd);
      expect(await run.exit).toBe(1);
      expect(run.out()).toContain('PORT: expected an integer 0–65535, got "eighty"');
    },
    PROCESS_TEST_MS,
  );
});
