import type {
  Clock,
  ExternalFailure,
  Logger,
  PresenceDesire,
  PresenceWriteOutcome,
  WriteUrgency,
} from '../../application/ports.js';
import { isPreferredSettable, isSessionSettable, samePresence, type TeamsPresence } from '../../domain/presence.js';
import { err, ok, type Result } from '../../domain/result.js';
import { httpFailure, parseRetryAfter } from '../shared/external-failure.js';
import type { GraphAnswer, GraphHttpClient } from './graph-http-client.js';
import { batchItemFailure, parseBatchAnswer } from './graph-batch.js';
import { IN_FLIGHT_POLL_MS, type PresenceBudget, type Reservation } from './presence-budget.js';
import { PresenceSessionPolicy } from './presence-session-policy.js';
import { PresenceWriteQueue, type Pending } from './presence-write-queue.js';

/** Settings of the presence writer. */
export interface PresenceWriterOptions {
  /** Our app (client) id: setPresence's sessionId (reference graph-presence.md §2.2). */
  readonly sessionId: string;
  /**
   * expirationDuration of a session that does not decay (PT5M..PT4H, default PT1H; see
   * PresenceSessionPolicy): the keep-alive cost falls with it, and a crashed instance's sessions
   * show that much longer.
   */
  readonly sessionDuration?: string;
  /**
   * $batch requests in flight at once (default 32). The budget bounds what may go; this bounds how
   * fast it goes: 20 × this per round trip. At 4 and a 300 ms round trip a storm's first window
   * left over 5.6 s, and its next window opened that much later (GRAPH_WRITE_CONCURRENCY).
   */
  readonly maxConcurrentBatches?: number;
  /**
   * Slots a backlog leaves free for a change that arrives while it drains (it is sent at once
   * instead of behind the backlog), unless slots free within `expressHorizonMs` anyway (then the
   * backlog takes them: unused kept slots cost it latency, not throughput).
   * Default: 5 % of the budget, 1 to 100 (75 at 1,500: a change a second during a backlog, each
   * sent and ended, finds one for a whole window; 20 ran out within it).
   */
  readonly expressSlots?: number;
  readonly expressHorizonMs?: number;
  /**
   * Changes that arrive while a backlog waits are told apart from a storm by how they come: a
   * clump (arrivals less than this far apart) larger than the free kept slots is a storm's share
   * and waits its turn; a smaller one is sent in the kept slots once this much quiet has passed.
   * Default 30 ms: what a single change pays for the look.
   */
  readonly expressQuietMs?: number;
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

interface Written {
  readonly presence: TeamsPresence | null;
  readonly preferred: boolean;
  readonly at: number;
  /** When a held session is to be written again (infinite: nothing to keep alive). */
  readonly refreshAt: number;
}

/** What the writer has done so far, for benches, metrics and the soak. */
export interface PresenceWriterStats {
  /** Desires accepted for writing (not `unchanged`), keep-alives included. */
  readonly accepted: number;
  /** Keep-alive re-writes queued. */
  readonly keepalives: number;
  readonly queued: Record<WriteUrgency, number>;
}

const BATCH_MAX = 20;

interface BatchRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * Writes desired presence through JSON $batch (≤ 20) within the per-tenant budget; coalesces per
 * user (only the latest desire is written, earlier callers get `superseded`); honours 429 +
 * Retry-After on the envelope and per item; skips a write our session already shows. Serves
 * changes before corrections before keep-alives, and keeps a few slots for a change arriving
 * while a backlog drains (see `expressSlots`).
 */
export class GraphPresenceWriter {
  readonly #pending = new PresenceWriteQueue();
  readonly #inFlight = new Set<string>();
  readonly #batches = new Set<Promise<void>>();
  readonly #written = new Map<string, Written>();
  #running = false;
  /** Some write waited behind a batch (or the budget) since the queue was last empty. */
  #backlogged = false;
  /** Users whose change arrived while backlogged: sent before the backlog, in the slots kept for them. */
  readonly #express = new Set<string>();
  /** Changes of the clump still arriving that came while backlogged: express once it ends small enough. */
  readonly #clump = new Set<string>();
  #clumpLastAt = Number.NEGATIVE_INFINITY;
  /** Fresh changes in the clump arriving now, whether or not a backlog waited when they came. */
  #clumpSize = 0;
  /** Writes queued before this sequence number came as one burst into an idle window that fits them. */
  #idleBurstBefore = 0;
  #wake: (() => void) | undefined;
  #sleeping: { readonly until: number; readonly done: Promise<void> } | undefined;
  #accepted = 0;
  #keepalives = 0;
  readonly #sessions: PresenceSessionPolicy;
  /** Recent $batch round trip (moving average), to tell whether a freeing slot beats an in-flight answer. */
  #batchLatencyMs = 0;
  readonly #o: Required<
    Omit<PresenceWriterOptions, 'clock' | 'sleep' | 'statusMessage' | 'logger' | 'sessionDuration'>
  > &
    Pick<PresenceWriterOptions, 'clock' | 'sleep' | 'statusMessage' | 'logger'>;

  constructor(
    private readonly graph: Pick<GraphHttpClient, 'request'>,
    private readonly budget: PresenceBudget,
    options: PresenceWriterOptions,
  ) {
    const { sessionDuration, ...rest } = options;
    this.#sessions = new PresenceSessionPolicy(sessionDuration);
    this.#o = Object.freeze({
      maxConcurrentBatches: 32,
      maxAttempts: 5,
      expressSlots: Math.max(1, Math.min(100, Math.floor(budget.limit * 0.05))),
      expressHorizonMs: 500,
      expressQuietMs: 30,
      ...rest,
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
    // A held session due for its refresh may be lapsing: writing it again is a refresh, not a duplicate.
    const fresh = last !== undefined && this.#o.clock.now() < last.refreshAt;
    if (
      !force &&
      fresh &&
      !this.#pending.has(desire.userId) &&
      !this.#inFlight.has(desire.userId) &&
      sameWrite(last, desire)
    ) {
      return Promise.resolve(ok({ status: 'unchanged' }));
    }
    this.#accepted += 1;
    return new Promise((resolve) => {
      const prior = this.#pending.get(desire.userId);
      for (const s of prior?.settle ?? []) s(ok({ status: 'superseded' }));
      // A newer desire for a user already in line takes that place (and the more urgent lane of the two).
      const urgency = desire.urgency ?? 'change';
      this.#pending.add(desire, resolve, urgency, this.#o.clock.now(), prior);
      if (urgency === 'change') this.#arrived(desire.userId, !prior);
      this.#pump();
      this.#wake?.();
    });
  }

  /**
   * A session another process (before a restart, or a previous owner) wrote at `at`: keep it
   * alive like our own. What this process wrote itself is newer and wins.
   */
  adopt(userId: string, presence: TeamsPresence, at: number): void {
    if (!this.#written.has(userId)) this.#written.set(userId, this.#record(presence, false, at));
  }

  /** Re-write held sessions whose refresh is due (keep-alive while the ACD state holds); returns the users refreshed. */
  refreshDue(): string[] {
    const now = this.#o.clock.now();
    const refreshed: string[] = [];
    for (const [userId, w] of this.#written) {
      if (w.presence && now >= w.refreshAt && !this.#pending.has(userId) && !this.#inFlight.has(userId)) {
        void this.write(
          { userId, presence: w.presence, preferred: false, traceId: `refresh-${userId}`, urgency: 'keepalive' },
          true,
        );
        this.#keepalives += 1;
        refreshed.push(userId);
      }
    }
    return refreshed;
  }

  /** Users with a write waiting or in flight (the writer's backlog, for soak and metrics). */
  get backlog(): number {
    return this.#pending.size + this.#inFlight.size;
  }

  get stats(): PresenceWriterStats {
    return { accepted: this.#accepted, keepalives: this.#keepalives, queued: this.#pending.counts() };
  }

  #record(presence: TeamsPresence | null, preferred: boolean, at: number): Written {
    const held = presence !== null && !preferred;
    return { presence, preferred, at, refreshAt: held ? this.#sessions.refreshAt(presence, at) : Infinity };
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
      if (this.#pending.size === 0) {
        this.#backlogged = false;
        this.#express.clear();
        this.#clump.clear();
        this.#idleBurstBefore = 0;
        if (this.#batches.size === 0) return;
      }
      if (this.#batches.size >= this.#o.maxConcurrentBatches) {
        await Promise.race(this.#batches);
        continue;
      }
      const now = this.#o.clock.now();
      const users = this.#next(now);
      if (users.length > 0) {
        this.#launch(users, this.budget.reserve(this.#cost(users)));
        continue;
      }
      await this.#waitForProgress(now);
    }
  }

  /**
   * The next batch: changes that arrived while a backlog was waiting (in the free slots, the kept
   * ones included), then the backlog in serving order within what it may spend (all but the kept
   * slots, see PresenceBudget.spendable).
   */
  #next(now: number): string[] {
    this.#admitClump(now);
    const available = this.budget.available(now);
    const free = Math.min(BATCH_MAX, available);
    if (free <= 0) return this.#stall([]);
    const ready = (u: string, p: Pending): boolean => !this.#inFlight.has(u) && p.notBefore <= now;
    const express = [...this.#express].flatMap((u) => {
      const p = this.#pending.get(u);
      return p && ready(u, p) ? [u] : [];
    });
    const out = this.#fill(express, free, []);
    // Slots are kept whenever something could be left behind, except from a burst that finds the
    // window idle and fits it (nothing came before it) and from a backlog's tail: what is left
    // fits and all of it has waited a whole window already (kept from it, a 10,000-write storm's
    // last writes waited a window more: 206 s instead of 180). Whatever else comes keeps them, a
    // storm arriving piece by piece (each piece fitting) included: its last pieces used up the
    // kept slots and a single call after it waited for the window.
    if (this.budget.inUse(now) === 0 && this.#pending.size <= available) this.#idleBurstBefore = this.#pending.nextSeq;
    else if ((this.#pending.oldestSeq() ?? Infinity) >= this.#idleBurstBefore) this.#idleBurstBefore = 0;
    const room = Math.min(
      free,
      this.#cost(out) + this.budget.spendable(now, this.#o.expressHorizonMs, this.#o.expressSlots),
    );
    const tail = this.#tailWaitsMs(now) === 0;
    // Stop at the first full batch: a 10k backlog is walked only while something in it may still go.
    const limit = tail || this.#idleBurstBefore > 0 ? free : room;
    for (const [u, p] of this.#pending.ordered()) {
      const cap = tail || p.seq < this.#idleBurstBefore ? free : room;
      if (this.#cost(out) >= limit) break;
      if (this.#cost(out) < cap && ready(u, p) && !this.#express.has(u)) this.#fill([u], cap, out);
    }
    return this.#stall(out);
  }

  /** A fresh change arrived: it belongs to the clump arriving now, and may go express if a backlog waits. */
  #arrived(userId: string, first: boolean): void {
    const now = this.#o.clock.now();
    if (now - this.#clumpLastAt >= this.#o.expressQuietMs) {
      this.#admitClump(now);
      this.#clumpSize = 0;
    }
    this.#clumpSize += 1;
    this.#clumpLastAt = now;
    if (this.#backlogged && first) this.#clump.add(userId);
  }

  /**
   * Milliseconds until a backlog's tail that fits the free slots has all waited a whole budget
   * window (0: it has, and may take the kept slots); undefined while what waits does not fit.
   */
  #tailWaitsMs(now: number): number | undefined {
    if (this.#pending.size === 0 || this.#pending.size > this.budget.available(now)) return undefined;
    let newest = Number.NEGATIVE_INFINITY;
    for (const p of this.#pending.values()) newest = Math.max(newest, p.queuedAt);
    return Math.max(0, newest + this.budget.windowMs - now);
  }

  /**
   * A clump of changes that has ended (quiet for expressQuietMs) goes express when the kept slots
   * still free can hold it. Storm changes arrive while the backlog waits too, and sending them one
   * by one in the kept slots used those up, so a single change after the storm waited for the
   * window like the rest (issue 16: p95 23.4 s behind a 2,000-call backlog).
   */
  #admitClump(now: number): void {
    if (this.#clump.size === 0 || now - this.#clumpLastAt < this.#o.expressQuietMs) return;
    const arrived = [...this.#clump].filter((u) => this.#pending.get(u)?.urgency === 'change');
    this.#clump.clear();
    const room = this.#o.expressSlots - this.#cost([...this.#express].filter((u) => this.#pending.has(u)));
    // The whole clump counts, also what of it arrived before the backlog formed (and was sent).
    if (Math.max(this.#clumpSize, this.#cost(arrived)) <= room) for (const u of arrived) this.#express.add(u);
  }

  /** Milliseconds until the clump arriving now is looked at (undefined: none arriving). */
  #clumpEndsInMs(now: number): number | undefined {
    return this.#clump.size === 0 ? undefined : Math.max(0, this.#clumpLastAt + this.#o.expressQuietMs - now);
  }

  /** A batch is leaving (or none can): whatever is still ready behind it is a backlog from now on. */
  #stall(out: string[]): string[] {
    for (const u of out) this.#express.delete(u);
    if (!this.#backlogged && this.#pending.size > out.length) this.#backlogged = true;
    return out;
  }

  async #waitForProgress(now: number): Promise<void> {
    const { expressHorizonMs: horizon, expressSlots: keep } = this.#o;
    let notBefore = Infinity;
    let ready = false;
    for (const [u, p] of this.#pending.ordered()) {
      if (this.#inFlight.has(u)) continue;
      if (p.notBefore <= now) ready = true;
      else notBefore = Math.min(notBefore, p.notBefore);
    }
    // Only a write that could go now waits for the budget; the others wait for their landing or retry time.
    const budgetWait = !ready
      ? undefined
      : this.#express.size > 0
        ? this.budget.nextFreeInMs(now)
        : this.budget.nextSpendableInMs(now, horizon, keep);
    const waits = [
      notBefore < Infinity ? notBefore - now : undefined,
      budgetWait,
      this.#clumpEndsInMs(now),
      ready ? this.#tailWaitsMs(now) || undefined : undefined,
    ].filter((w) => w !== undefined);
    const wait = waits.length > 0 ? Math.max(0, Math.min(...waits)) : undefined;
    const woken = new Promise<void>((r) => (this.#wake = r));
    try {
      // A slot that frees before an in-flight batch can land is slept for: waiting for the landing
      // paced the next window one batch at a time, while the first went out maxConcurrentBatches
      // wide. A longer wait starts with the landing (it counts the batch from its real answer
      // time, also on a clock that a sleep moves at once, like the emulator's manual clock).
      if (this.#batches.size > 0 && (wait === undefined || wait > this.#batchLatencyMs))
        await Promise.race([woken, ...this.#batches]);
      else await Promise.race([woken, this.#sleep(wait ?? IN_FLIGHT_POLL_MS)]);
    } finally {
      this.#wake = undefined;
    }
  }

  /**
   * A sleep that a new write may cut short: an earlier sleep still running that ends no later is
   * waited on again instead of starting another timer (a storm of wake-ups would leave one per write).
   */
  #sleep(ms: number): Promise<void> {
    const until = this.#o.clock.now() + ms;
    const s = this.#sleeping;
    if (s && s.until <= until && s.until > this.#o.clock.now()) return s.done;
    const done = this.#o.sleep(ms);
    this.#sleeping = { until, done };
    return done;
  }

  #cost(users: readonly string[]): number {
    return users.reduce((n, u) => n + this.#requests(this.#pending.get(u)!.desire).length, 0);
  }

  /** Appends to `out` the users whose requests (1, or 2 with a status message) still fit in `room` batch items. */
  #fill(users: readonly string[], room: number, out: string[]): string[] {
    let used = this.#cost(out);
    for (const u of users) {
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
    if (text === undefined || !d.presence) return [this.#request(d)];
    const expiry = new Date(this.#o.clock.now() + this.#sessions.lifetimeMs(d.presence)).toISOString().replace('Z', '');
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
            expirationDuration: this.#sessions.duration(d.presence),
          },
        }
      : { method: 'POST', url: `${base}/clearPresence`, headers, body: { sessionId: this.#o.sessionId } };
  }

  #itemDone(userId: string, p: Pending, item: GraphAnswer, latencyMs: number): void {
    const now = this.#o.clock.now();
    // §2.3: clearPresence answers 404 when our session is already gone — the desired end state.
    const cleared = item.status === 404 && p.desire.presence === null && !p.desire.preferred;
    if ((item.status >= 200 && item.status < 300) || cleared) {
      this.#written.set(userId, this.#record(p.desire.presence, p.desire.preferred, now));
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
    this.#pending.put(userId, p);
  }
}

function sameWrite(last: Written, d: PresenceDesire): boolean {
  if (last.preferred !== d.preferred) return false;
  if (last.presence === null || d.presence === null) return last.presence === d.presence;
  return samePresence(last.presence, d.presence);
}
