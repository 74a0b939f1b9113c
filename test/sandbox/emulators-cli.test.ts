import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';

interface Summary {
  caFile: string;
  graph: { url: string; entraLoginBaseUrl: string };
  app: { clientId: string; consented: boolean };
  botConnector: { serviceUrl: string; openIdMetadataUrl: string; issuer: string };
  tenants: { tenantId: string; admin: { upn: string }; cxone: { url: string } }[];
}

describe('npm run emulators', () => {
  // tsx compiles the tree at start: tens of seconds on a loaded machine.
  it('starts CXone per organisation, Graph/Entra for every tenant and a Bot Connector, and says where they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulators-cli-'));
    const child = spawn(
      process.execPath,
      [
        'node_modules/tsx/dist/cli.mjs',
        'src/sandbox/emulators-cli.ts',
        ...[
          '--data-dir',
          dir,
          '--cxone-port',
          '0',
          '--graph-port',
          '0',
          '--bot-port',
          '0',
          '--teams-port',
          '0',
          '--agents',
          '3',
        ],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const file = join(dir, 'emulators', 'emulators.json');
    try {
      const until = Date.now() + 100_000;
      while (!out.includes('Ctrl-C stops') && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain('CA file:');
      expect(existsSync(file)).toBe(true);
      const s = JSON.parse(readFileSync(file, 'utf8')) as Summary;
      expect(s.tenants.map((t) => t.admin.upn)).toEqual([
        'sandbox.admin@contoso.example',
        'sandbox.admin@fabrikam.example',
      ]);
      expect(s.app.consented).toBe(false);
      const dispatcher = new Agent({ connect: { ca: readFileSync(s.caFile, 'utf8') } });
      try {
        const keys = await fetch(`${s.graph.entraLoginBaseUrl}/${s.tenants[1]!.tenantId}/discovery/v2.0/keys`, {
          dispatcher,
        });
        expect(keys.status).toBe(200);
        const appToken = await fetch(`${s.graph.entraLoginBaseUrl}/${s.tenants[0]!.tenantId}/oauth2/v2.0/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: s.app.clientId,
            client_secret: 'emulated-client-secret',
            scope: 'https://graph.microsoft.com/.default',
          }),
          dispatcher,
        });
        // Production-like: nothing works for a tenant before its admin consents.
        expect(((await appToken.json()) as { error_codes: number[] }).error_codes).toEqual([7000229]);
        // The Connector is a channel-token issuer; the lines to put in env say so.
        const metadata = await fetch(s.botConnector.openIdMetadataUrl);
        expect(((await metadata.json()) as { issuer: string }).issuer).toBe(s.botConnector.issuer);
        expect(out).toContain(`BOT_CHANNEL_OPENID_METADATA=${s.botConnector.openIdMetadataUrl}`);
        expect(out).toContain(`BOT_CHANNEL_ISSUER=${s.botConnector.issuer}`);
        const cxone = await fetch(`${s.tenants[0]!.cxone.url}/.well-known/openid-configuration`, { dispatcher });
        expect(cxone.status).toBe(200);
      } finally {
        await dispatcher.close();
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
