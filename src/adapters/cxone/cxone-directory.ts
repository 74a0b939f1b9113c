import type {
  AcdAgent,
  AcdDirectory,
  AcdTeam,
  AcdUnavailableCodeInfo,
  Clock,
  ExternalFailure,
} from '../../application/ports.js';
import { ok, type Result } from '../../domain/result.js';
import type { z } from 'zod';
import type { CxoneApiClient } from './cxone-api-client.js';
import { agentsPageSchema, teamsPageSchema, teamUnavailableCodesSchema } from './cxone-schemas.js';

/** Options of {@link CxoneDirectory}. */
export interface CxoneDirectoryOptions {
  /** How long a directory read is reused (default 5 min). */
  readonly refreshMs?: number;
  /** `top` per page (default 1000). */
  readonly pageSize?: number;
}

interface Entry<T> {
  readonly at: number;
  readonly value: Promise<Result<T, ExternalFailure>>;
}

type PageOf<K extends string, T> = {
  _links?: { next?: string | null | undefined } | undefined;
  totalRecords?: number | undefined;
} & Record<K, T[]>;
type Paged<K extends string, T> = z.ZodType<PageOf<K, T>>;

/**
 * Teams, agents and each team's unavailable codes (reference §5), cached for `refreshMs` and
 * dropped by `invalidate()` (e.g. when an agent session reports UpdateUnavailableCodes, §3.2).
 * Concurrent readers share one request; a failed read is not cached.
 */
export class CxoneDirectory implements AcdDirectory {
  private readonly options: Required<CxoneDirectoryOptions>;
  private readonly cache = new Map<string, Entry<unknown>>();
  /** agentId → teamId of the last agent list read, to notice directory changes from Real-Time records. */
  private knownTeams: ReadonlyMap<string, string> | undefined;
  /** agentId → teamId of the agent's latest Real-Time record (one entry per agent of the business unit). */
  private readonly recordTeams = new Map<string, string>();

  constructor(
    options: CxoneDirectoryOptions,
    private readonly api: CxoneApiClient,
    private readonly clock: Clock,
  ) {
    this.options = Object.freeze({ refreshMs: 300_000, pageSize: 1000, ...options });
  }

  listTeams(): Promise<Result<readonly AcdTeam[], ExternalFailure>> {
    return this.cached('teams', async () => {
      const r = await this.allPages('/teams', teamsPageSchema, 'teams');
      return r.ok ? ok(r.value.map((t) => ({ teamId: t.teamId, teamName: t.teamName, isActive: t.isActive }))) : r;
    });
  }

  listAgents(): Promise<Result<readonly AcdAgent[], ExternalFailure>> {
    return this.cached('agents', async () => {
      const r = await this.allPages('/agents', agentsPageSchema, 'agents');
      if (!r.ok) return r;
      this.knownTeams = new Map(r.value.map((a) => [a.agentId, a.teamId]));
      return ok(
        r.value.map((a) => ({
          agentId: a.agentId,
          firstName: a.firstName,
          lastName: a.lastName,
          userName: a.userName,
          teamId: a.teamId,
          isActive: a.isActive,
          ...(a.emailAddress ? { email: a.emailAddress } : {}),
          ...(a.federatedId ? { federatedId: a.federatedId } : {}),
        })),
      );
    });
  }

  listUnavailableCodes(teamId: string): Promise<Result<readonly AcdUnavailableCodeInfo[], ExternalFailure>> {
    return this.cached(`codes:${teamId}`, async () => {
      const r = await this.api.get(
        `/teams/${encodeURIComponent(teamId)}/unavailable-codes`,
        teamUnavailableCodesSchema,
        { activeOnly: 'false' },
      );
      return r.ok ? ok(r.value ?? []) : r;
    });
  }

  invalidate(): void {
    this.cache.clear();
    this.knownTeams = undefined;
  }

  /**
   * Real-Time records carry each agent's teamId: an agent we have not listed, or one that moved
   * team, means the cached directory is stale (its team's codes may differ too) — drop it.
   * True when the agent moved team (its record or our list showed another team before): every
   * other copy of the directory is stale too (other instances answer requests from their own).
   */
  noteAgentTeam(agentId: string, teamId: string | undefined): boolean {
    if (teamId === undefined) return false;
    const known = this.knownTeams;
    const before = this.recordTeams.get(agentId) ?? known?.get(agentId);
    this.recordTeams.set(agentId, teamId);
    const moved = before !== undefined && before !== teamId;
    if (moved || (known && known.get(agentId) !== teamId)) this.invalidate();
    return moved;
  }

  private cached<T>(key: string, load: () => Promise<Result<T, ExternalFailure>>): Promise<Result<T, ExternalFailure>> {
    const hit = this.cache.get(key) as Entry<T> | undefined;
    if (hit && this.clock.now() - hit.at < this.options.refreshMs) return hit.value;
    const value = load().then((r) => {
      if (!r.ok && this.cache.get(key)?.value === value) this.cache.delete(key);
      return r;
    });
    this.cache.set(key, { at: this.clock.now(), value });
    return value;
  }

  /** Follows `_links.next`, or skip/top while fewer than totalRecords were read (reference §8). */
  private async allPages<K extends string, T>(
    path: string,
    schema: Paged<K, T>,
    key: K,
  ): Promise<Result<T[], ExternalFailure>> {
    const items: T[] = [];
    let next: string | undefined = path;
    let query: Record<string, string> = { top: String(this.options.pageSize) };
    while (next) {
      const page: Result<PageOf<K, T> | undefined, ExternalFailure> = await this.api.get(next, schema, query);
      if (!page.ok) return page;
      const list: T[] = page.value?.[key] ?? [];
      items.push(...list);
      const link: string | undefined = page.value?._links?.next ?? undefined;
      const more: boolean =
        !link && list.length > 0 && page.value?.totalRecords !== undefined && items.length < page.value.totalRecords;
      next = link ?? (more ? path : undefined);
      query = link ? {} : { top: String(this.options.pageSize), skip: String(items.length) };
    }
    return ok(items);
  }
}
