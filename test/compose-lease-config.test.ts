import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';

/** The tenant-lease settings compose hands to TenantOwnership (takeover time of a dead instance). */
describe('lease settings (LEASE_TTL_MS, LEASE_RENEW_MS, LEASE_TAKEOVER_LOCAL)', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'presence-lease-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const load = (env: Record<string, string> = {}) => loadConfig({ env, cwd });
  const problems = (env: Record<string, string>): readonly string[] => {
    try {
      load(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('defaults to a 10 s lease renewed every 3 s, and both are documented', () => {
    expect(load().lease).toEqual({ ttlMs: 10_000, renewMs: 3_000, takeoverLocal: true });
    const names = CONFIG_VARIABLES.filter((v) => v.name.startsWith('LEASE_')).map((v) => [v.name, v.default]);
    expect(names).toEqual([
      ['LEASE_TTL_MS', '10000'],
      ['LEASE_TAKEOVER_LOCAL', 'on'],
      ['LEASE_RENEW_MS', '3000'],
    ]);
  });

  it('taking over from a crashed instance of this host at once can be turned off (always wait for the TTL)', () => {
    expect(load({ LEASE_TAKEOVER_LOCAL: 'off' }).lease.takeoverLocal).toBe(false);
    expect(problems({ LEASE_TAKEOVER_LOCAL: 'yes' })[0]).toMatch(/^LEASE_TAKEOVER_LOCAL: expected on or off/);
  });

  it('takes small values for fast takeover', () => {
    expect(load({ LEASE_TTL_MS: '3000', LEASE_RENEW_MS: '1000' }).lease).toEqual({
      ttlMs: 3_000,
      renewMs: 1_000,
      takeoverLocal: true,
    });
  });

  it('refuses a renewal period that is not below half the TTL, and values that are not integers in range', () => {
    expect(problems({ LEASE_TTL_MS: '6000', LEASE_RENEW_MS: '3000' })).toEqual([
      'LEASE_RENEW_MS: expected below LEASE_TTL_MS / 2 (3000 ms), got 3000',
    ]);
    expect(problems({ LEASE_RENEW_MS: '5000' })).toHaveLength(1);
    expect(problems({ LEASE_TTL_MS: 'soon' })[0]).toMatch(/^LEASE_TTL_MS: expected an integer/);
    expect(problems({ LEASE_TTL_MS: '500' })[0]).toMatch(/^LEASE_TTL_MS: expected/);
    expect(problems({ LEASE_RENEW_MS: '1.5' })[0]).toMatch(/^LEASE_RENEW_MS: expected/);
  });
});
