import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { instanceIsGone, newInstanceId } from '../../../src/adapters/shared/instance-identity.js';

const linux = process.platform === 'linux';

describe('instance identity: is a lease holder known to be gone?', () => {
  it('names the host and the pid first (what the Health Check and the Log Reader show)', () => {
    const [host, pid] = newInstanceId().split(':');
    expect([host, pid]).toEqual([hostname(), String(process.pid)]);
  });

  (linux ? it : it.skip)(
    'a process of this host and PID namespace that has exited is gone; a running one is not',
    async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      const [, , random, ns] = newInstanceId().split(':');
      const holder = `${hostname()}:${child.pid}:${random}:${ns}`;
      expect(instanceIsGone(holder)).toBe(false);
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(instanceIsGone(holder)).toBe(true);
    },
  );

  it('never judges what it cannot be sure of: another host, another PID namespace, no namespace, itself, garbage', () => {
    const [, , random, ns] = newInstanceId().split(':');
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max limit: no such process
    expect(instanceIsGone(`another-host:${deadPid}:${random}:${ns}`)).toBe(false);
    expect(instanceIsGone(`${hostname()}:${deadPid}:${random}:1`)).toBe(false);
    expect(instanceIsGone(`${hostname()}:${deadPid}:${random}`)).toBe(false);
    expect(instanceIsGone(newInstanceId())).toBe(false);
    expect(instanceIsGone('not an instance id')).toBe(false);
    expect(instanceIsGone(`${hostname()}:abc:${random}:${ns}`)).toBe(false);
  });
});
