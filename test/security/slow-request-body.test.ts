import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { readBody } from '../../src/adapters/http/api/api-http.js';
import { createRestifyServer, type HttpServer } from '../../src/adapters/http/restify-server.js';
import { createLogger } from '../../src/compose/logger.js';

/*
 * Issue 15 item 7, from the attacker's side: a client that sends its headers and then drips the
 * body a byte at a time held the connection (and the handler waiting for the body) for Node's
 * 300 s default. The server the product composes answers 408 and cuts it off at its body deadline.
 */
describe('a request body dripped slowly', () => {
  let http: HttpServer;
  let port: number;
  beforeAll(async () => {
    http = createRestifyServer({
      name: 'slow-body-test',
      logger: createLogger({ level: 'silent', env: 'test', format: 'json' }).logger,
      closeTimeoutMs: 1_000,
      bodyTimeoutMs: 800,
      registrars: [
        (server) =>
          server.post('/echo', async (req, res) => {
            const body = await readBody(req, 10_000);
            res.send(200, { bytes: body.ok ? body.value.length : -1 });
          }),
      ],
    });
    port = await http.listen(0, '127.0.0.1');
  });
  afterAll(async () => http.close());

  it('is answered 408 and its connection closed at the deadline, not held for minutes', async () => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const start = Date.now();
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    const drip = setInterval(() => socket.writable && socket.write(' '), 100);
    const closedAt = await closed;
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('HTTP.BODY_TIMEOUT');
    // Cut off at the 0.8 s deadline (a generous bound for a loaded machine; Node's default is 300 s).
    expect(closedAt - start).toBeLessThan(15_000);
  });

  it('leaves a body that arrives in time alone', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'x'.repeat(500) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 500 });
  });
});
