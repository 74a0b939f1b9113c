import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/compose/logger.js';
import { repeatedKeys, topLevelKeys } from './log-lines.js';

function capture(format: 'json' | 'pretty') {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const { logger, pretty } = createLogger({ level: 'info', env: 'test', format, destination: out });
  return { logger, pretty, lines: () => text.split('\n').filter(Boolean) };
}

describe('the product logger', () => {
  it('writes one JSON object per line with service and env when it is not for a terminal', () => {
    const log = capture('json');
    log.logger.info({ port: 3978 }, 'presence-sync listening');
    const line = JSON.parse(log.lines()[0]!) as Record<string, unknown>;
    expect(log.pretty).toBe(false);
    expect(line).toMatchObject({ service: 'presence-sync', env: 'test', port: 3978, msg: 'presence-sync listening' });
  });

  it('binds a key once when a child binds the same value its parent has', () => {
    const log = capture('json');
    const tenant = log.logger.child({ tenantId: 't-1' });
    tenant.child({ component: 'cxone', tenantId: 't-1' }).info({ cxoneTenantId: 'c-9' }, 'cxone tenant discovered');
    const line = log.lines()[0]!;
    expect(topLevelKeys(line).filter((k) => k === 'tenantId')).toHaveLength(1);
    expect(repeatedKeys(line)).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({ tenantId: 't-1', component: 'cxone', cxoneTenantId: 'c-9' });
  });

  it('finds a repeated key even after a string with escaped quotes', () => {
    expect(repeatedKeys('{"msg":"said \\"a\\":1","a":1,"o":{"a":2},"a":3}')).toEqual(['a']);
  });

  it('never writes a secret, however deep in a logged object', () => {
    const log = capture('json');
    log.logger.info({ connection: { clientSecret: 's3cr3t', token: 'eyJ' } }, 'connection saved');
    expect(log.lines()[0]).not.toMatch(/s3cr3t|eyJ/);
  });

  it('writes short single lines for a person: time, level, component, message, the rest inline', () => {
    const log = capture('pretty');
    log.logger.child({ component: 'cxone', tenantId: 't-1' }).info({ agents: 12 }, 'directory loaded');
    const lines = log.lines();
    expect(log.pretty).toBe(true);
    expect(lines).toHaveLength(1);
    // Colours off in the test stream; what a person sees is the same text.
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cxone: directory loaded \{"tenantId":"t-1","agents":12\}$/);
  });
});
