import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A bare subscriber endpoint whose handshake and delivery answers tests can bend. */
export interface SimpleWebhook {
  readonly url: string;
  readonly bodies: {
    path: string;
    query: string;
    body: { value: Record<string, unknown>[]; validationTokens?: unknown };
  }[];
  mode: { echo: 'exact' | 'wrong' | 'html' | 'silent'; status: number; delayMs: number };
  close(): Promise<void>;
}

export async function startSimpleWebhook(): Promise<SimpleWebhook> {
  const hook = { bodies: [], mode: { echo: 'exact', status: 202, delayMs: 0 } } as unknown as SimpleWebhook;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        if (hook.mode.echo === 'silent') return;
        const type = hook.mode.echo === 'html' ? 'text/html' : 'text/plain';
        // Not chained: restify, loaded in the same jest worker by other suites, patches writeHead to return undefined.
        res.writeHead(200, { 'content-type': type });
        return void res.end(hook.mode.echo === 'wrong' ? 'nope' : token);
      }
      hook.bodies.push({
        path: url.pathname,
        query: url.search,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      setTimeout(() => {
        res.writeHead(hook.mode.status);
        res.end();
      }, hook.mode.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(hook, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
