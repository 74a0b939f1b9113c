import type { HealthNames, HealthSnapshotLike } from '../../../application/health/health-view.js';
import type { RuleStore } from '../../../application/ports.js';
import type { DirectoryFor } from '../../../application/rules/rule-catalog.js';
import type { OwnerQueries } from './api-deps.js';

export interface HealthNameSources {
  readonly rules: Pick<RuleStore, 'list'>;
  readonly owners?: OwnerQueries | undefined;
  readonly directory?: DirectoryFor | undefined;
}

/**
 * The names the Health Check shows instead of ids: rule names from the store, owner UPNs, and the
 * unavailable codes' names from the tenant's CXone directory (only when a synced status names a
 * code; an unreachable directory leaves the id).
 */
export async function healthNames(
  sources: HealthNameSources,
  tenantId: string,
  health: HealthSnapshotLike,
): Promise<HealthNames> {
  const rules = new Map((await sources.rules.list(tenantId)).map((r) => [r.id, r.name]));
  const owners = new Map(((await sources.owners?.list(tenantId)) ?? []).map((o) => [o.ownerId, o.userPrincipalName]));
  const codes = new Map<string, string>();
  const directory = health.activeSyncs.some((s) => s.status.startsWith('Unavailable:'))
    ? await sources.directory?.(tenantId)
    : undefined;
  if (directory) {
    const teams = await directory.listTeams();
    for (const team of teams.ok ? teams.value : []) {
      const list = await directory.listUnavailableCodes(team.teamId);
      for (const c of list.ok ? list.value : []) codes.set(c.id, c.name);
    }
  }
  return { rule: (id) => rules.get(id), owner: (id) => owners.get(id), code: (id) => codes.get(id) };
}
