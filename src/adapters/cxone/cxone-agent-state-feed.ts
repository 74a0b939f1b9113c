import { setTimeout as delay } from 'node:timers/promises';
import type { AcdEventSink, AcdStateFeed, Clock, ExternalFailure, Logger } from '../../application/ports.js';
import type { AcdStateEvent } from '../../domain/agent-state.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { CxoneContactLookup } from './cxone-contact-lookup.js';
import { fetchAgentStates } from './cxone-agent-states-reader.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import { eventIdOf, toAcdStateEvent } from './cxone-state-mapper.js';
import type { RtdAgentState } from './cxone-schemas.js';

/** Health of the feed after every poll: `ok: false` carries the failure (throttled, down, unreadable). */
export interface CxoneFeedHealth {
  readonly ok: boolean;
  readonly failure?: ExternalFailure;
  readonly consecutiveFailures: number;
}

/** Options of {@link CxoneAgentStateFeed}. */
export interface CxoneAgentStateFeedOptions {
  readonly tenantId: string;
  /** Poll interval (default 1 s; NICE's own agent app polls every 5 s — reference §2.1). */
  readonly pollIntervalMs?: number;
  /** `top` of each agents/states page (default 500). */
  readonly pageSize?: number;
  /**
   * How far each `updatedSince` reaches back before the previous `lastPollTime` (default 10 s).
   * The Real-Time feed reports a change late but stamps it with the time it happened, so a window
   * starting exactly at the last poll misses every change still in flight; records seen again are
   * dropped by their event id.
   */
  readonly overlapMs?: number;
  /** Exponential backoff when CXone gives no Retry-After (default 1 s doubling to 30 s, with jitter). */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Injectable for tests; must resolve early (or reject) when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly onHealth?: (health: CxoneFeedHealth) => void;
  /** Sees each record's agent and team (lets the directory notice moved or new agents). */
  readonly onAgentTeam?: (agentId: string, teamId: string | undefined) => void;
}

/** Five times the 2 s lag the sandbox assumes, and twice the 5 s cache refresh of NICE's agent app (reference §2.1). */
export const DEFAULT_FEED_OVERLAP_MS = 10_000;

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Watches every agent by polling the Real-Time Data API (reference §2.1): a full snapshot first,
 * then `updatedSince` = the previous `lastPollTime` minus `overlapMs`. The cursor moves only after `deliver`
 * resolved, so a failing sink gets the same changes again (same event ids); changes already
 * delivered are not handed over twice, even though `updatedSince` overlaps.
 */
export class CxoneAgentStateFeed implements AcdStateFeed {
  private readonly options: Required<Omit<CxoneAgentStateFeedOptions, 'onHealth' | 'onAgentTeam'>> &
    Pick<CxoneAgentStateFeedOptions, 'onHealth' | 'onAgentTeam'>;
  private cursor: string | undefined;
  private readonly delivered = new Map<string, { readonly eventId: string; readonly sourceTime: number }>();
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private failures = 0;

  constructor(
    options: CxoneAgentStateFeedOptions,
    private readonly api: CxoneApiClient,
    private readonly contacts: CxoneContactLookup,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.options = Object.freeze({
      pollIntervalMs: 1000,
      pageSize: 500,
      overlapMs: DEFAULT_FEED_OVERLAP_MS,
      backoffInitialMs: 1000,
      backoffMaxMs: 30_000,
      sleep: defaultSleep,
      random: Math.random,
      ...options,
    });
  }

  start(deliver: AcdEventSink): Promise<void> {
    if (this.abort) throw new Error('CxoneAgentStateFeed already started');
    const abort = new AbortController();
    this.abort = abort;
    return new Promise<void>((firstSnapshotDelivered) => {
      this.loop = this.run(deliver, abort.signal, firstSnapshotDelivered);
    });
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
  }

  async snapshot(): Promise<Result<readonly AcdStateEvent[], ExternalFailure>> {
    const read = await fetchAgentStates(this.api, undefined, this.options.pageSize);
    if (!read.ok) return read;
    return this.toEvents(read.value?.records ?? []);
  }

  private async run(deliver: AcdEventSink, signal: AbortSignal, firstDone: () => void): Promise<void> {
    while (!signal.aborted) {
      const started = this.clock.now();
      const r = await this.pollOnce(deliver);
      if (r.ok) firstDone();
      this.report(r);
      if (signal.aborted) break;
      // Fixed rate: the interval runs from the start of a poll, so a slow answer does not stretch it.
      const elapsed = Math.max(0, this.clock.now() - started);
      await this.options.sleep(
        r.ok ? Math.max(0, this.options.pollIntervalMs - elapsed) : this.backoffMs(r.error),
        signal,
      );
    }
    firstDone();
  }

  /** One poll: read the delta, classify, deliver, then (only then) advance the cursor. */
  private async pollOnce(deliver: AcdEventSink): Promise<Result<void, ExternalFailure | 'DELIVERY'>> {
    const read = await fetchAgentStates(this.api, this.since(), this.options.pageSize);
    if (!read.ok) return read;
    if (!read.value) return ok(undefined);
    // The overlap brings back records already delivered: drop them before any contact lookup.
    const unseen = read.value.records.filter((r) => this.delivered.get(r.agentId)?.eventId !== eventIdOf(r));
    const events = await this.toEvents(unseen);
    if (!events.ok) {
      // The contact lookup failed: the agents on no contact need none, and their changes go now
      // rather than wait with the calls' for CXone's contacts to answer again. The poll is read
      // again; what it delivered already is not delivered twice. (Split on every poll, the second
      // delivery cost a call a few ms at a local round trip: engine-on-wire p95 40 ms, was 21.)
      const plain = await this.deliverEvents(await this.toEvents(unseen.filter((r) => !r.contactId)), deliver);
      return plain.ok ? events : plain;
    }
    const delivered = await this.deliverEvents(events, deliver);
    if (!delivered.ok) return delivered;
    if (read.value.lastPollTime) this.cursor = read.value.lastPollTime;
    return ok(undefined);
  }

  private async deliverEvents(
    events: Result<AcdStateEvent[], ExternalFailure>,
    deliver: AcdEventSink,
  ): Promise<Result<void, ExternalFailure | 'DELIVERY'>> {
    if (!events.ok) return events;
    const fresh = events.value.filter((e) => this.isFresh(e));
    if (fresh.length === 0) return ok(undefined);
    try {
      await deliver(fresh);
    } catch (e) {
      this.logger.error(
        { err: e instanceof Error ? e.message : String(e), events: fresh.length },
        'delivering ACD events failed; the same poll is retried',
      );
      return err('DELIVERY');
    }
    for (const e of fresh) this.delivered.set(e.agentId, { eventId: e.eventId, sourceTime: e.sourceTime });
    return ok(undefined);
  }

  /** The previous poll's `lastPollTime`, reaching `overlapMs` further back. */
  private since(): string | undefined {
    if (this.cursor === undefined) return undefined;
    const at = Date.parse(this.cursor);
    return Number.isNaN(at) ? this.cursor : new Date(Math.max(0, at - this.options.overlapMs)).toISOString();
  }

  private async toEvents(records: readonly RtdAgentState[]): Promise<Result<AcdStateEvent[], ExternalFailure>> {
    const contacts = await this.contacts.classify(records);
    if (!contacts.ok) return contacts;
    const events: AcdStateEvent[] = [];
    for (const r of records) {
      this.options.onAgentTeam?.(r.agentId, r.teamId);
      const e = toAcdStateEvent(this.options.tenantId, r, r.contactId ? contacts.value.get(r.contactId) : undefined);
      if (e) events.push(e);
      else this.logger.warn({ agentId: r.agentId, state: r.stateName }, 'unknown CXone agent state skipped');
    }
    return ok(events);
  }

  private isFresh(e: AcdStateEvent): boolean {
    const prev = this.delivered.get(e.agentId);
    return !prev || (prev.eventId !== e.eventId && e.sourceTime >= prev.sourceTime);
  }

  private backoffMs(failure: ExternalFailure | 'DELIVERY'): number {
    if (failure !== 'DELIVERY' && failure.retryAfterMs !== undefined) return failure.retryAfterMs;
    const { backoffInitialMs, backoffMaxMs, random } = this.options;
    const exp = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.max(0, this.failures - 1));
    return Math.round(exp * (0.5 + random() / 2));
  }

  private report(r: Result<void, ExternalFailure | 'DELIVERY'>): void {
    this.failures = r.ok ? 0 : this.failures + 1;
    if (!r.ok && r.error !== 'DELIVERY')
      this.logger.warn(
        {
          status: r.error.status,
          code: r.error.code,
          retryAfterMs: r.error.retryAfterMs,
          requestId: r.error.requestId,
        },
        'cxone agent state poll failed',
      );
    const failure = !r.ok && r.error !== 'DELIVERY' ? { failure: r.error } : {};
    this.options.onHealth?.({ ok: r.ok, consecutiveFailures: this.failures, ...failure });
  }
}
