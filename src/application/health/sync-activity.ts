import type { Clock } from '../ports.js';

export type SyncDirection = 'acd-to-teams' | 'teams-to-acd';

/** One effect that reached its target (event in → effect done). */
export interface SyncSample {
  readonly ruleId: string;
  readonly direction: SyncDirection;
  /** What was synced, e.g. `Busy/InACall` or `Unavailable:12`. */
  readonly status: string;
  readonly latencyMs: number;
  readonly at: number;
  readonly agentId?: string;
  /** Written, but Teams cannot show it (why: the user's own status outranks our session). */
  readonly notShown?: string;
}

/** Presence writes Teams could not show (the Health Check's count), with the latest one. */
export interface NotShownSummary {
  readonly lastHour: number;
  readonly lastDay: number;
  readonly latest?: {
    readonly agentId?: string;
    readonly status: string;
    readonly reason: string;
    readonly at: number;
  };
}

export interface ActiveSync {
  readonly ruleId: string;
  readonly direction: SyncDirection;
  readonly status: string;
  readonly lastHour: number;
  readonly lastDay: number;
  readonly lastAt: number;
}

export interface LatencySummary {
  readonly direction: SyncDirection;
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** Sync volume and latency of one minute (the Health Check's chart: always the last 60, so it stays bounded). */
export interface MinuteVolume {
  /** Start of the minute, epoch ms. */
  readonly at: number;
  readonly acdToTeams: number;
  readonly teamsToAcd: number;
  /** Median end-to-end latency of the minute's syncs; 0 without any. */
  readonly p50Ms: number;
}

const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** p-th percentile (0..100) by nearest rank; 0 for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Distinct (rule, direction, status) and not-shown (agent, reason) values a series may name before it re-interns from what it holds. */
const MAX_INTERNED = 4_096;
/** First allocation of a tenant's series; it doubles up to the per-tenant cap. */
const INITIAL_CAPACITY = 1_024;

interface SyncGroup {
  readonly ruleId: string;
  readonly direction: SyncDirection;
  readonly status: string;
}

interface NotShownNote {
  readonly agentId: string | undefined;
  readonly reason: string;
}

/** Interned values: each distinct one stored once, samples refer to it by index. */
class Interned<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly keyOf: (value: T) => string) {}

  of(value: T): number {
    const key = this.keyOf(value);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(key, i);
    }
    return i;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * One tenant's samples, oldest first, as columns in a ring of typed arrays: 20 bytes a sample
 * instead of a ~180-byte object with its own status and agent id strings (a day of a 10k-agent
 * tenant's syncs reaches the 200k cap: ~4 MB instead of ~35 MB).
 */
class SampleSeries {
  private at = new Float64Array(0);
  private latency = new Uint32Array(0);
  private group = new Uint32Array(0);
  /** 0: shown; else 1 + index of the not-shown note. */
  private note = new Uint32Array(0);
  private head = 0;
  length = 0;
  private groups = new Interned<SyncGroup>((g) => `${g.ruleId}\u0000${g.direction}\u0000${g.status}`);
  private notes = new Interned<NotShownNote>((n) => `${n.agentId ?? ''}\u0000${n.reason}`);

  /** Re-intern beyond this many distinct values: twice what the held samples named last time, so it stays amortised. */
  private internLimit = MAX_INTERNED;

  constructor(private readonly cap: number) {}

  push(s: SyncSample): void {
    if (this.length === this.at.length && this.at.length < this.cap) this.grow();
    if (this.length === this.at.length) this.dropOldest(1);
    const i = (this.head + this.length) % this.at.length;
    this.at[i] = s.at;
    this.latency[i] = Math.min(0xffff_ffff, Math.max(0, Math.round(s.latencyMs)));
    this.group[i] = this.groups.of({ ruleId: s.ruleId, direction: s.direction, status: s.status });
    this.note[i] = s.notShown === undefined ? 0 : 1 + this.notes.of({ agentId: s.agentId, reason: s.notShown });
    this.length += 1;
    if (this.groups.size > this.internLimit || this.notes.size > this.internLimit) this.reintern();
  }

  /** Drops the samples older than `cutoff` (they are in time order). */
  dropBefore(cutoff: number): void {
    let n = 0;
    while (n < this.length && (this.at[(this.head + n) % this.at.length] as number) < cutoff) n += 1;
    this.dropOldest(n);
  }

  /** Calls `visit` for each sample at or after `since`, oldest first. */
  forEachSince(since: number, visit: (s: SyncSample) => void): void {
    for (let k = 0; k < this.length; k += 1) {
      const i = (this.head + k) % this.at.length;
      const at = this.at[i] as number;
      if (at < since) continue;
      const g = this.groups.values[this.group[i] as number] as SyncGroup;
      const note = this.note[i] as number;
      const n = note === 0 ? undefined : this.notes.values[note - 1];
      visit({
        ruleId: g.ruleId,
        direction: g.direction,
        status: g.status,
        latencyMs: this.latency[i] as number,
        at,
        ...(n ? { notShown: n.reason, ...(n.agentId !== undefined ? { agentId: n.agentId } : {}) } : {}),
      });
    }
  }

  private dropOldest(n: number): void {
    if (n <= 0) return;
    this.head = (this.head + n) % this.at.length;
    this.length -= n;
  }

  private grow(): void {
    const size = Math.min(this.cap, Math.max(INITIAL_CAPACITY, this.at.length * 2));
    const order = (from: Float64Array | Uint32Array, to: Float64Array | Uint32Array): void => {
      for (let k = 0; k < this.length; k += 1) to[k] = from[(this.head + k) % from.length] as number;
    };
    const at = new Float64Array(size);
    const latency = new Uint32Array(size);
    const group = new Uint32Array(size);
    const note = new Uint32Array(size);
    order(this.at, at);
    order(this.latency, latency);
    order(this.group, group);
    order(this.note, note);
    [this.at, this.latency, this.group, this.note, this.head] = [at, latency, group, note, 0];
  }

  /** Rules come and go over a day: keep only the values the held samples still name. */
  private reintern(): void {
    const groups = new Interned<SyncGroup>((g) => `${g.ruleId}\u0000${g.direction}\u0000${g.status}`);
    const notes = new Interned<NotShownNote>((n) => `${n.agentId ?? ''}\u0000${n.reason}`);
    for (let k = 0; k < this.length; k += 1) {
      const i = (this.head + k) % this.at.length;
      this.group[i] = groups.of(this.groups.values[this.group[i] as number] as SyncGroup);
      const note = this.note[i] as number;
      if (note !== 0) this.note[i] = 1 + notes.of(this.notes.values[note - 1] as NotShownNote);
    }
    [this.groups, this.notes] = [groups, notes];
    this.internLimit = Math.max(MAX_INTERNED, 2 * Math.max(groups.size, notes.size));
  }
}

/**
 * Which statuses are actively synced, per rule mapping and direction, over the last hour/day,
 * and the end-to-end latency of the last hour. Samples older than a day are forgotten; the
 * per-tenant cap bounds memory under a storm.
 */
export class SyncActivity {
  private readonly samples = new Map<string, SampleSeries>();

  constructor(
    private readonly clock: Clock,
    private readonly maxSamplesPerTenant = 200_000,
  ) {}

  record(tenantId: string, sample: SyncSample): void {
    let series = this.samples.get(tenantId);
    if (!series) {
      series = new SampleSeries(this.maxSamplesPerTenant);
      this.samples.set(tenantId, series);
    }
    series.dropBefore(this.clock.now() - DAY);
    series.push(sample);
  }

  /** Samples held for a tenant (at most the per-tenant cap, none older than a day). */
  held(tenantId: string): number {
    const series = this.samples.get(tenantId);
    series?.dropBefore(this.clock.now() - DAY);
    return series?.length ?? 0;
  }

  active(tenantId: string): readonly ActiveSync[] {
    const now = this.clock.now();
    const groups = new Map<
      string,
      { ruleId: string; direction: SyncDirection; status: string; lastHour: number; lastDay: number; lastAt: number }
    >();
    for (const s of this.recent(tenantId, now - DAY)) {
      const key = `${s.ruleId}\u0000${s.direction}\u0000${s.status}`;
      const g = groups.get(key) ?? {
        ruleId: s.ruleId,
        direction: s.direction,
        status: s.status,
        lastHour: 0,
        lastDay: 0,
        lastAt: 0,
      };
      g.lastDay += 1;
      if (s.at >= now - HOUR) g.lastHour += 1;
      g.lastAt = Math.max(g.lastAt, s.at);
      groups.set(key, g);
    }
    return [...groups.values()].sort((a, b) => b.lastAt - a.lastAt);
  }

  notShown(tenantId: string): NotShownSummary {
    const now = this.clock.now();
    let lastHour = 0;
    let lastDay = 0;
    let latest: SyncSample | undefined;
    for (const s of this.recent(tenantId, now - DAY)) {
      if (s.notShown === undefined) continue;
      lastDay += 1;
      if (s.at >= now - HOUR) lastHour += 1;
      if (!latest || s.at >= latest.at) latest = s;
    }
    return {
      lastHour,
      lastDay,
      ...(latest
        ? {
            latest: {
              ...(latest.agentId !== undefined ? { agentId: latest.agentId } : {}),
              status: latest.status,
              reason: latest.notShown ?? '',
              at: latest.at,
            },
          }
        : {}),
    };
  }

  latency(tenantId: string): readonly LatencySummary[] {
    const since = this.clock.now() - HOUR;
    const directions: SyncDirection[] = ['acd-to-teams', 'teams-to-acd'];
    return directions.map((direction) => {
      const sorted = this.recent(tenantId, since)
        .filter((s) => s.direction === direction)
        .map((s) => s.latencyMs)
        .sort((a, b) => a - b);
      return { direction, count: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
    });
  }

  /** The last `minutes` whole minutes, oldest first, one entry per minute whether anything synced or not. */
  perMinute(tenantId: string, minutes = 60): readonly MinuteVolume[] {
    const end = Math.floor(this.clock.now() / MINUTE) * MINUTE + MINUTE;
    const start = end - minutes * MINUTE;
    const buckets = Array.from({ length: minutes }, () => ({
      acdToTeams: 0,
      teamsToAcd: 0,
      latencies: [] as number[],
    }));
    for (const s of this.recent(tenantId, start)) {
      const b = buckets[Math.floor((s.at - start) / MINUTE)];
      if (!b) continue;
      if (s.direction === 'acd-to-teams') b.acdToTeams += 1;
      else b.teamsToAcd += 1;
      b.latencies.push(s.latencyMs);
    }
    return buckets.map((b, i) => ({
      at: start + i * MINUTE,
      acdToTeams: b.acdToTeams,
      teamsToAcd: b.teamsToAcd,
      p50Ms: percentile(
        b.latencies.sort((x, y) => x - y),
        50,
      ),
    }));
  }

  private recent(tenantId: string, since: number): SyncSample[] {
    const series = this.samples.get(tenantId);
    if (!series) return [];
    series.dropBefore(this.clock.now() - DAY);
    const out: SyncSample[] = [];
    series.forEachSince(since, (s) => out.push(s));
    return out;
  }
}
