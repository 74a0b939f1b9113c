import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceEvent } from '../../../application/ports.js';

export interface TraceStreamOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly agentId: string;
  readonly heartbeatMs: number;
  readonly subscribe: (listener: (event: TraceEvent) => void) => () => void;
}

/**
 * Open live-tail streams per signed-in user and per tenant on this instance. Each stream holds a
 * socket, a subscription and a heartbeat timer until the client leaves: without a cap one user
 * opened 400 in 24 s. A support engineer follows a handful of agents at once, not hundreds.
 */
export class LiveTailSlots {
  readonly #open = new Map<string, number>();

  constructor(readonly limits: { readonly perUser: number; readonly perTenant: number }) {}

  /** A release function when a slot is free for this user and tenant, otherwise which limit was hit. */
  take(tenantId: string, userId: string): { release: () => void } | { full: 'user' | 'tenant' } {
    const userKey = `user/${tenantId}/${userId}`;
    const tenantKey = `tenant/${tenantId}`;
    if ((this.#open.get(userKey) ?? 0) >= this.limits.perUser) return { full: 'user' };
    if ((this.#open.get(tenantKey) ?? 0) >= this.limits.perTenant) return { full: 'tenant' };
    for (const k of [userKey, tenantKey]) this.#open.set(k, (this.#open.get(k) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const k of [userKey, tenantKey]) {
          const n = (this.#open.get(k) ?? 1) - 1;
          if (n > 0) this.#open.set(k, n);
          else this.#open.delete(k);
        }
      },
    };
  }
}

export const DEFAULT_LIVE_TAIL_LIMITS = Object.freeze({ perUser: 5, perTenant: 50 });

/** Server-sent events until the client goes away; resolves then, after unsubscribing. */
export function streamTrace(o: TraceStreamOptions): Promise<void> {
  o.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  o.res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ agentId: o.agentId })}\n\n`);
  const unsubscribe = o.subscribe((event) => {
    o.res.write(`id: ${event.id}\nevent: trace\ndata: ${JSON.stringify(event)}\n\n`);
  });
  // A comment line keeps idle proxies from closing the stream.
  const heartbeat = setInterval(() => o.res.write(': keep-alive\n\n'), o.heartbeatMs);
  heartbeat.unref();
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      resolve();
    };
    o.res.once('close', done);
  });
}
