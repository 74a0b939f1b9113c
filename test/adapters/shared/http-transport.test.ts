import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import { createLocalTls, type LocalTls } from '../../../src/sandbox/tls/local-ca.js';

describe('HTTP transport trusting an extra CA', () => {
  let tls: LocalTls;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    tls = await createLocalTls();
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('builds its TLS context once, shared by every transport trusting the same CA', async () => {
    // Per connection, a context built from `ca` alone parses Node's ~145 roots again (native memory).
    const a = createHttpTransport({ timeoutMs: 5_000, extraCaPem: tls.caCertPem, connections: 1 });
    const b = createHttpTransport({ timeoutMs: 5_000, extraCaPem: tls.caCertPem });
    try {
      expect(a.secureContext).toBeDefined();
      expect(b.secureContext).toBe(a.secureContext);
      expect(await (await a.fetch(url)).text()).toBe('ok');
      expect(await (await b.fetch(url)).text()).toBe('ok');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('still refuses a server its CAs do not vouch for', async () => {
    const other = await createLocalTls();
    const t = createHttpTransport({ timeoutMs: 5_000, extraCaPem: other.caCertPem });
    try {
      await expect(t.fetch(url)).rejects.toThrow();
    } finally {
      await t.close();
    }
  });

  it('uses Node defaults without an extra CA', async () => {
    const t = createHttpTransport({ timeoutMs: 5_000 });
    expect(t.secureContext).toBeUndefined();
    await t.close();
  });
});
