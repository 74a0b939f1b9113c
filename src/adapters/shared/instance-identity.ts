import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who an instance is, and whether a lease holder's process is known to be gone. The id is
 * `host:pid:random:pidns` (pidns = the inode of the process's PID namespace, Linux). A holder is
 * gone only when it ran on this host in this PID namespace (so its pid means the same process
 * table) and that pid no longer exists. Containers that share a hostname but not a PID namespace
 * (`--network host`) never judge each other; a reused pid reads as alive. Both fall back to the
 * lease's TTL, which is always safe.
 */
let namespace: string | null | undefined;

function pidNamespace(): string | null {
  if (namespace !== undefined) return namespace;
  try {
    namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? null;
  } catch {
    namespace = null;
  }
  return namespace;
}

export function newInstanceId(): string {
  const ns = pidNamespace();
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}${ns === null ? '' : `:${ns}`}`;
}

export function instanceIsGone(holder: string): boolean {
  const [host, pid, , ns] = holder.split(':');
  const here = pidNamespace();
  if (here === null || ns !== here || host !== hostname()) return false;
  const n = Number(pid);
  if (!Number.isSafeInteger(n) || n <= 0 || n === process.pid) return false;
  try {
    process.kill(n, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
