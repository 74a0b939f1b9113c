import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { graphError, tooManyRequests } from './graph-errors.js';

/**
 * A fault on the Graph routes whose method and path match (reference §8.9): an error status, or a
 * timeout (the answer is held for `hangMs` of real time, longer than the caller waits). It lasts
 * for `count` requests, or until `untilMs` on the emulator clock (a window such as "renewals fail
 * for an hour"), whichever ends first; with neither it lasts until cleared.
 */
export interface RouteFault {
  /** HTTP method to match; any when absent. */
  readonly method?: string;
  /** A regular expression over the path without the query, e.g. `^/v1\.0/subscriptions/`. */
  readonly path: string;
  readonly status: number | 'timeout';
  readonly retryAfterSec?: number;
  readonly count?: number;
  readonly untilMs?: number;
  /** For `timeout`: how long the answer is held (real time); 30 s by default. */
  readonly hangMs?: number;
}

interface Active {
  readonly fault: RouteFault;
  readonly pattern: RegExp;
  remaining: number;
}

const DEFAULT_HANG_MS = 30_000;

/**
 * The route faults in force. Checked for every Graph request, `$batch` items included (they go
 * through the same router), so a fault on setPresence hits it directly and inside a batch.
 */
export class RouteFaults {
  readonly #active: Active[] = [];
  /** Hangs in progress, cut short on close so the emulator shuts down at once. */
  readonly #hangs = new Set<AbortController>();
  /** Requests answered per fault path, retired faults included (assertions: "the product retried N times"). */
  readonly #hits = new Map<string, number>();

  add(fault: RouteFault): void {
    this.#active.push({ fault, pattern: new RegExp(fault.path), remaining: fault.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#active.length = 0;
  }

  /** How many requests the faults with this `path` (as given to `add`) have answered. */
  hits(path: string): number {
    return this.#hits.get(path) ?? 0;
  }

  /** The forced answer for this request, if a fault matches (consuming one of its count). */
  async answer(req: EmulatorRequest, now: number): Promise<EmulatorResponse | undefined> {
    this.#expire(now);
    const hit = this.#active.find(
      (a) => (a.fault.method === undefined || a.fault.method === req.method) && a.pattern.test(req.path),
    );
    if (!hit) return undefined;
    this.#hits.set(hit.fault.path, this.hits(hit.fault.path) + 1);
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.#retire(hit);
    const f = hit.fault;
    if (f.status === 'timeout') return this.#hang(f.hangMs ?? DEFAULT_HANG_MS, now);
    if (f.status === 429) return tooManyRequests(f.retryAfterSec ?? 1, now);
    const headers: Record<string, string> =
      f.retryAfterSec !== undefined ? { 'retry-after': String(f.retryAfterSec) } : {};
    return graphError(
      f.status,
      f.status >= 500 ? 'ServiceUnavailable' : 'BadRequest',
      'Injected route fault.',
      now,
      headers,
    );
  }

  /** Ends every hang in progress (the emulator is closing). */
  abortHangs(): void {
    for (const c of this.#hangs) c.abort();
    this.#hangs.clear();
  }

  async #hang(ms: number, now: number): Promise<EmulatorResponse> {
    const c = new AbortController();
    this.#hangs.add(c);
    await delay(ms, undefined, { signal: c.signal }).catch(() => undefined);
    this.#hangs.delete(c);
    return graphError(504, 'GatewayTimeout', 'Injected timeout.', now);
  }

  #expire(now: number): void {
    for (const a of [...this.#active]) if (a.fault.untilMs !== undefined && a.fault.untilMs <= now) this.#retire(a);
  }

  #retire(a: Active): void {
    const i = this.#active.indexOf(a);
    if (i >= 0) this.#active.splice(i, 1);
  }
}
