import type { Clock, ExternalFailure, Logger, PresenceDesire, PresenceWriteOutcome } from '../../application/ports.js';
import { isPreferredSettable, isSessionSettable, samePresence, type TeamsPresence } from '../../domain/presence.js';
import { err, ok, type Result } from '../../domain/result.js';
import { httpFailure, parseRetryAfter } from '../shared/external-failure.js';
import type { GraphAnswer, GraphHttpClient } from './graph-http-client.js';
import { batchItemFailure, parseBatchAnswer } from './graph-batch.js';
import { IN_FLIGHT_POLL_MS, type PresenceBudget, type Reservation } from './presence-budget.js';

/** Settings of the presence writer. */
export interface PresenceWriterOptions {
  /** Our app (client) id: setPresence's sessionId (reference graph-presence.md §2.2). */
  readonly sessionId: string;
  /** expirationDuration of our session: short, so a dead backend does not pin "In a call" for hours (§2.6). */
  readonly sessionDuration?: string;
  /** Refresh a held session this long after its last write (≤ 5 min, §2.1/§2.6: Available decays after 5). */
  readonly refreshAfterMs?: number;
  readonly maxConcurrentBatches?: number;
  /**
   * Optional status message shown with a session write (e.g. "On a customer call"). It is set with
   * an expiry equal to the session's, never cleared: clearing would wipe the user's own message.
   */
  readonly statusMessage?: (desire: PresenceDesire) => string | undefined;
  /** Attempts for transient failures (5xx, network) before the write is reported failed; 429s never count. */
  readonly maxAttempts?: number;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Waiting is injected so tests run on the emulator's manual clock. */
  readonly sleep: (ms: number) => Promise<void>;
}

type Settle = (r: Result<PresenceWriteOutcome, ExternalFailure>) => void;
interface Pending {
  readonly desire: PresenceDesire;
  readonly settle: Settle[];
  attempts: number;
  notBefore: number;
}
interface Written {
  readonly presence: TeamsPresence | null;
  readonly preferred: boolean;
  readonly at: number;
}

const BATCH_MAX = 20;

interface BatchRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** Minutes of a `PTnM` / `PTnH` duration (the session durations we configure). */
function parseIsoMinutes(d: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(d);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 15;
}

/**
 * Writes desired presence through JSON $batch (≤ 20) within the per-tenant budget; coalesces per
 * user (only the latest desire is written, earlier callers get `superseded`); honours 429 +
 * Retry-After on the envelope and per item; skips a write our session already shows.
 */
export class GraphPresenceWriter {
  readonly #pending = new Map<string, Pending>();
  readonly #inFlight = new Set<string>();
  readonly #batches = new Set<Promise<void>>();
  readonly #written = new Map<string, Written>();
  #running = false;
  /** Recent $batch round trip (moving average), to tell whether a freeing slot beats an in-flight answer. */
  #batchLatencyMs = 0;
  readonly #o: Required<Omit<PresenceWriterOptions, 'clock' | 'sleep' | 'statusMessage' | 'logger'>> &
    Pick<PresenceWriterOptions, 'clock' | 'sleep' | 'statusMessage' | 'logger'>;

  constructor(
    private readonly graph: Pick<GraphHttpClient, 'request'>,
    private readonly budget: PresenceBudget,
    options: PresenceWriterOptions,
  ) {
    this.#o = Object.freeze({
      sessionDuration: 'PT15M',
      refreshAfterMs: 4 * 60_000,
      maxConcurrentBatches: 4,
      maxAttempts: 5,
      ...options,
    });
  }

  write(desire: PresenceDesire, force = false): Promise<Result<PresenceWriteOutcome, ExternalFailure>> {
    const p = desire.presence;
    if (p && !(desire.preferred ? isPreferredSettable(p) : isSessionSettable(p))) {
      return Promise.resolve(
        err(
          httpFailure(
            'graph',
            400,
            'INVALID_PRESENCE_PAIR',
            `${p.availability}/${p.activity} cannot be set ${desire.preferred ? 'as preferred presence' : 'on an app session'}.`,
          ),
        ),
      );
    }
    const last = this.#written.get(desire.userId);
    // A held session older than the refresh interval may be lapsing: writing it again is a refresh, not a duplicate.
    const fresh =
      last !== undefined &&
      (last.presence === null || last.preferred || this.#o.clock.now() - last.at < this.#o.refreshAfterMs);
    if (
      !force &&
      fresh &&
      !this.#pending.has(desire.userId) &&
      !this.#inFlight.has(desire.userId) &&
      sameWrite(last, desire)
    ) {
      return Promise.resolve(ok({ status: 'unchanged' }));
    }
    return new Promise((resolve) => {
      const prior = this.#pending.get(desire.userId);
      for (const s of prior?.settle ?? []) s(ok({ status: 'superseded' }));
      this.#pending.set(desire.userId, { desire, settle: [resolve], attempts: 0, notBefore: 0 });
      this.#pump();
    });
  }

  /**
   * A session another process (before a restart, or a previous owner) wrote at `at`: keep it
   * alive like our own. What this process wrote itself is newer and wins.
   */
  adopt(userId: string, presence: TeamsPresence, at: number): void {
    if (!this.#written.has(userId)) this.#written.set(userId, { presence, preferred: false, at });
  }

  /** Re-write sessions held longer than `refreshAfterMs` (keep-alive while the ACD state holds); returns the users refreshed. */
  refreshDue(): string[] {
    const now = this.#o.clock.now();
    const refreshed: string[] = [];
    for (const [userId, w] of this.#written) {
      if (
        w.presence &&
        !w.preferred &&
        now - w.at >= this.#o.refreshAfterMs &&
        !this.#pending.has(userId) &&
        !this.#inFlight.has(userId)
      ) {
        void this.write({ userId, presence: w.presence, preferred: false, traceId: `refresh-${userId}` }, true);
        refreshed.push(userId);
      }
    }
    return refreshed;
  }

  /** Users with a write waiting or in flight (the writer's backlog, for soak and metrics). */
  get backlog(): number {
    return this.#pending.size + this.#inFlight.size;
  }

  /** Resolves when nothing is pending or in flight. */
  async idle(): Promise<void> {
    while (this.#running || this.#batches.size > 0) await new Promise((r) => setImmediate(r));
  }

  /** Starts on the next turn of the event loop, so a synchronous burst for one user coalesces into one write. */
  #pump(): void {
    if (this.#running) return;
    this.#running = true;
    setImmediate(() => {
      void this.#loop()
        .catch((e: unknown) => this.#abandon(e))
        .finally(() => {
          this.#running = false;
        });
    });
  }

  async #loop(): Promise<void> {
    for (;;) {
      const now = this.#o.clock.now();
      const ready = [...this.#pending.keys()].filter(
        (u) => !this.#inFlight.has(u) && this.#pending.get(u)!.notBefore <= now,
      );
      if (ready.length === 0) {
        if (this.#pending.size === 0 && this.#batches.size === 0) return;
        await this.#waitForProgress(now);
        continue;
      }
      if (this.#batches.size >= this.#o.maxConcurrentBatches) {
        await Promise.race(this.#batches);
        continue;
      }
      const free = this.budget.available(now);
      if (free <= 0) {
        // A slot that frees before an in-flight batch can land is slept for: waiting for the landing
        // paced the next window one batch at a time, while the first went out maxConcurrentBatches
        // wide. A longer wait starts with the landing (it counts the batch from its real answer
        // time, also on a clock that a sleep moves at once, like the emulator's manual clock).
        const wait = this.budget.nextFreeInMs(now);
        if (this.#batches.size > 0 && (wait === undefined || wait > this.#batchLatencyMs))
          await Promise.race(this.#batches);
        else await this.#o.sleep(wait ?? IN_FLIGHT_POLL_MS);
        continue;
      }
      const users = this.#fill(ready, Math.min(BATCH_MAX, free));
      this.#launch(
        users,
        this.budget.reserve(users.reduce((n, u) => n + this.#requests(this.#pending.get(u)!.desire).length, 0)),
      );
    }
  }

  async #waitForProgress(now: number): Promise<void> {
    if (this.#batches.size > 0) return void (await Promise.race(this.#batches));
    const next = Math.min(...[...this.#pending.values()].map((p) => p.notBefore));
    await this.#o.sleep(Math.max(0, next - now));
  }

  /** Users whose requests (1, or 2 with a status message) fit in `room` batch items. */
  #fill(ready: readonly string[], room: number): string[] {
    const out: string[] = [];
    let used = 0;
    for (const u of ready) {
      const n = this.#requests(this.#pending.get(u)!.desire).length;
      if (used + n > room) break;
      out.push(u);
      used += n;
    }
    return out;
  }

  #launch(users: string[], reservation: Reservation): void {
    const items = users.map((u) => {
      this.#inFlight.add(u);
      return { userId: u, pending: this.#pending.get(u)! };
    });
    for (const u of users) this.#pending.delete(u);
    const batch = this.#send(items, reservation).finally(() => {
      this.#batches.delete(batch);
      for (const u of users) this.#inFlight.delete(u);
    });
    this.#batches.add(batch);
  }

  async #send(items: { userId: string; pending: Pending }[], reservation: Reservation): Promise<void> {
    const started = this.#o.clock.now();
    // Item `n` is the presence write that decides the outcome; `n-msg` the optional status message.
    const requests = items.flatMap((it, i) =>
      this.#requests(it.pending.desire).map((r, k) => ({ id: k === 0 ? String(i + 1) : `${i + 1}-msg`, ...r })),
    );
    let answer: Awaited<ReturnType<GraphHttpClient['request']>>;
    try {
      answer = await this.graph.request('POST', '/$batch', { requests });
    } finally {
      // Graph counted these items somewhere between send and now: count them from now (see PresenceBudget).
      reservation.settle(this.#o.clock.now());
    }
    const latencyMs = this.#o.clock.now() - started;
    this.#batchLatencyMs = this.#batchLatencyMs === 0 ? latencyMs : 0.8 * this.#batchLatencyMs + 0.2 * latencyMs;
    for (const it of items) this.#inFlight.delete(it.userId);
    if (!answer.ok || answer.value.status !== 200)
      return this.#envelopeFailed(items, answer.ok ? answer.value : undefined, answer.ok ? undefined : answer.error);
    const byId = parseBatchAnswer(answer.value.body);
    items.forEach((it, i) => {
      const item = byId.get(String(i + 1));
      this.#itemDone(it.userId, it.pending, item ?? { status: 502, headers: {}, body: undefined }, latencyMs);
    });
  }

  #requests(d: PresenceDesire): BatchRequest[] {
    const text = d.presence && !d.preferred ? this.#o.statusMessage?.(d) : undefined;
    if (text === undefined) return [this.#request(d)];
    const expiry = new Date(this.#o.clock.now() + parseIsoMinutes(this.#o.sessionDuration) * 60_000)
      .toISOString()
      .replace('Z', '');
    const statusMessage = {
      message: { content: text, contentType: 'text' },
      expiryDateTime: { dateTime: expiry, timeZone: 'UTC' },
    };
    return [
      this.#request(d),
      {
        method: 'POST',
        url: `/users/${d.userId}/presence/setStatusMessage`,
        headers: { 'content-type': 'application/json' },
        body: { statusMessage },
      },
    ];
  }

  #request(d: PresenceDesire): BatchRequest {
    const base = `/users/${d.userId}/presence`;
    const headers = { 'content-type': 'application/json' };
    if (d.preferred) {
      return d.presence
        ? {
            method: 'POST',
            url: `${base}/setUserPreferredPresence`,
            headers,
            body: { availability: d.presence.availability, activity: d.presence.activity },
          }
        : { method: 'POST', url: `${base}/clearUserPreferredPresence`, headers, body: {} };
    }
    return d.presence
      ? {
          method: 'POST',
          url: `${base}/setPresence`,
          headers,
          body: {
            sessionId: this.#o.sessionId,
            availability: d.presence.availability,
            activity: d.presence.activity,
            expirationDuration: this.#o.sessionDuration,
          },
        }
      : { method: 'POST', url: `${base}/clearPresence`, headers, body: { sessionId: this.#o.sessionId } };
  }

  #itemDone(userId: string, p: Pending, item: GraphAnswer, latencyMs: number): void {
    const now = this.#o.clock.now();
    // §2.3: clearPresence answers 404 when our session is already gone — the desired end state.
    const cleared = item.status === 404 && p.desire.presence === null && !p.desire.preferred;
    if ((item.status >= 200 && item.status < 300) || cleared) {
      this.#written.set(userId, { presence: p.desire.presence, preferred: p.desire.preferred, at: now });
      for (const s of p.settle) s(ok({ status: 'written', latencyMs, httpStatus: item.status }));
      return;
    }
    const retryAfter = parseRetryAfter(item.headers['retry-after'], now);
    if (item.status === 429) this.#throttled(now, retryAfter ?? 1000 * 2 ** Math.min(p.attempts, 6));
    const transient = item.status === 429 || item.status >= 500;
    if (transient && (item.status === 429 || p.attempts + 1 < this.#o.maxAttempts)) {
      this.#requeue(userId, p, item.status === 429 ? 0 : 1, now + (retryAfter ?? 500 * 2 ** p.attempts));
      return;
    }
    const failure = batchItemFailure(item);
    this.#o.logger?.warn(
      { userId, status: item.status, code: failure.code, traceId: p.desire.traceId },
      'presence write failed',
    );
    for (const s of p.settle) s(err(failure));
  }

  /** A bug in the loop must not leave callers waiting forever: fail what is pending, loudly. */
  #abandon(e: unknown): void {
    this.#o.logger?.error({ error: String(e) }, 'presence writer loop failed');
    const failure = httpFailure('graph', 0, 'WRITER_FAILED', `presence writer failed: ${String(e)}`);
    for (const p of this.#pending.values()) for (const s of p.settle) s(err(failure));
    this.#pending.clear();
  }

  #throttled(now: number, waitMs: number): void {
    this.#o.logger?.warn({ retryAfterMs: waitMs }, 'Graph throttled presence writes; pausing');
    this.budget.pauseUntil(now + waitMs);
  }

  #envelopeFailed(
    items: { userId: string; pending: Pending }[],
    answer: GraphAnswer | undefined,
    failure: ExternalFailure | undefined,
  ): void {
    const now = this.#o.clock.now();
    const retryAfter = answer ? parseRetryAfter(answer.headers['retry-after'], now) : failure?.retryAfterMs;
    const status = answer?.status ?? 0;
    if (status === 429) this.#throttled(now, retryAfter ?? 1000);
    // §4 CONFLICT: the throttling guide says a throttled batch fails as a whole with 424; treat it like 429 without a hint.
    const transient = status === 429 || status === 424 || status === 0 || status >= 500;
    for (const { userId, pending } of items) {
      if (transient && (status === 429 || pending.attempts + 1 < this.#o.maxAttempts))
        this.#requeue(userId, pending, status === 429 ? 0 : 1, now + (retryAfter ?? 500 * 2 ** pending.attempts));
      else for (const s of pending.settle) s(err(failure ?? batchItemFailure(answer!)));
    }
  }

  /** Put a failed write back unless a newer desire for the user arrived meanwhile (that one wins). */
  #requeue(userId: string, p: Pending, attemptCost: number, notBefore: number): void {
    if (this.#pending.has(userId)) {
      for (const s of p.settle) s(ok({ status: 'superseded' }));
      return;
    }
    p.attempts += attemptCost;
    p.notBefore = notBefore;
    this.#pending.set(userId, p);
  }
}

function sameWrite(last: Written, d: PresenceDesire): boolean {
  if (last.preferred !== d.preferred) return false;
  if (last.presence === null || d.presence === null) return last.presence === d.presence;
  return samePresence(last.presence, d.presence);
}
