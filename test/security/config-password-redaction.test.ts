import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactConfigSecrets } from '../../src/config.js';

/**
 * An operator pastes a connection string with its password into DATABASE_URL and gets it slightly
 * wrong: the error lands in a terminal, a CI log, a support ticket. The password must not.
 */
describe('configuration errors never echo a password', () => {
  const PASSWORD = 'Tr0ub4dor-and-3';
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'config-redaction-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig({ env, cwd });
    } catch (e) {
      if (e instanceof ConfigError) return `${e.message}\n${e.problems.join('\n')}\n${JSON.stringify(e)}`;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('names a DATABASE_URL that is not a PostgreSQL URL without its password', () => {
    const text = problemsOf({ DATABASE_URL: `mysql://presence:${PASSWORD}@db.internal:3306/presence` });
    expect(text).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL, got "mysql://presence:***@');
    expect(text).not.toContain(PASSWORD);
  });

  it('hides the password of any URL-shaped value, whatever the variable', () => {
    const text = problemsOf({ CXONE_AUTH_BASE_URL: `ftp://svc:${PASSWORD}@cxone.example` });
    expect(text).toContain('CXONE_AUTH_BASE_URL');
    expect(text).not.toContain(PASSWORD);
  });

  it('takes the database password and every secret out of a start-up failure message', () => {
    const key = randomBytes(32).toString('base64');
    const config = loadConfig({
      cwd,
      env: {
        PRESENCE_SYNC_MODE: 'production',
        SECRET_ENCRYPTION_KEY: key,
        PUBLIC_BASE_URL: 'https://sync.contoso.com',
        MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
        SECRET_GRAPH_CLIENT_SECRET: 'graph-secret-value',
        DATABASE_URL: `postgres://presence:${encodeURIComponent(PASSWORD)}@db.internal:5432/presence`,
      },
    });
    // What a driver might say: the URL in full, the bare password, a secret echoed back.
    const failure = `connect to postgres://presence:${PASSWORD}@db.internal failed; password "${PASSWORD}" rejected; key ${key}; graph-secret-value`;
    const shown = redactConfigSecrets(failure, config);
    expect(shown).toContain('postgres://presence:***@db.internal');
    for (const secret of [PASSWORD, key, 'graph-secret-value']) expect(shown).not.toContain(secret);
  });
});
