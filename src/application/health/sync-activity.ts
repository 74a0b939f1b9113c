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

/**
 * Which statuses are actively synced, per rule mapping and direction, over the last hour/day,
 * and the end-to-end latency of the last hour. Samples older than a day are forgotten; the
 * per-tenant cap bounds memory under a storm.
 */
export class SyncActivity {
  private readonly samples = new Map<string, SyncSample[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxSamplesPerTenant = 200_000,
  ) {}

  record(tenantId: string, sample: SyncSample): void {
    const list = this.samples.get(tenantId) ?? [];
    list.push(sample);
    this.samples.set(tenantId, list);
    this.trim(list);
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
    const list = this.samples.get(tenantId) ?? [];
    this.trim(list);
    return list.filter((s) => s.at >= since);
  }

  private trim(list: SyncSample[]): void {
    const cutoff = this.clock.now() - DAY;
    let drop = 0;
    while (drop < list.length && (list[drop] as SyncSample).at < cutoff) drop += 1;
    drop = Math.max(drop, list.length - this.maxSamplesPerTenant);
    if (drop > 0) list.splice(0, drop);
  }
}
