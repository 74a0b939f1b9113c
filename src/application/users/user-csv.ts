import type { DirectoryUser, UserLink } from '../ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { Actor } from '../rules/rule-service.js';
import { csvValue, formatCsv, parseCsv } from './csv.js';
import type { CsvRowProblem, UserMappingProblem } from './user-mapping-errors.js';
import type { UserMappingService } from './user-mapping-service.js';

export const CSV_COLUMNS = [
  'agentId',
  'agentName',
  'agentEmail',
  'teamsUserId',
  'teamsUserPrincipalName',
  'source',
] as const;

export interface ImportOutcome {
  readonly linked: readonly string[];
  readonly unlinked: readonly string[];
  readonly unchanged: readonly string[];
  /** True when nothing was written (a validation-only run). */
  readonly dryRun: boolean;
}

interface Planned {
  readonly put: UserLink[];
  readonly remove: string[];
  readonly unchanged: string[];
}

/** Mapping table as CSV and back: export every agent; import is validated per row and applied all-or-nothing. */
export class UserCsv {
  constructor(private readonly mapping: UserMappingService) {}

  async export(tenantId: string): Promise<Result<string, UserMappingProblem>> {
    const rows = await this.mapping.list(tenantId);
    if (!rows.ok) return rows;
    const users = await this.mapping.users(tenantId);
    const upn = new Map((users.ok ? users.value : []).map((u) => [u.id, u.userPrincipalName]));
    const body = rows.value.map(({ agent, link }) => [
      agent.agentId,
      `${agent.firstName} ${agent.lastName}`.trim(),
      agent.email ?? '',
      link?.teamsUserId ?? '',
      link ? (upn.get(link.teamsUserId) ?? link.email ?? '') : '',
      link?.source ?? '',
    ]);
    return ok(formatCsv(CSV_COLUMNS, body));
  }

  /** Rows with an empty user unlink the agent; columns other than agentId / teamsUserId / teamsUserPrincipalName are ignored. */
  async import(actor: Actor, csv: string, dryRun: boolean): Promise<Result<ImportOutcome, UserMappingProblem>> {
    const parsed = parseCsv(csv);
    if (!parsed.ok) return err({ code: 'CSV.MALFORMED', message: parsed.error.message, line: parsed.error.line });
    const [header = [], ...data] = parsed.value;
    const col = (name: string): number => header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
    const [agentCol, idCol, upnCol] = [col('agentId'), col('teamsUserId'), col('teamsUserPrincipalName')];
    if (agentCol < 0 || (idCol < 0 && upnCol < 0))
      return err({
        code: 'CSV.MISSING_COLUMN',
        message: 'The header needs an agentId column and a teamsUserId or teamsUserPrincipalName column.',
      });
    const [agents, users] = await Promise.all([
      this.mapping.agents(actor.tenantId),
      this.mapping.users(actor.tenantId),
    ]);
    if (!agents.ok) return agents;
    if (!users.ok) return users;
    const links = await this.mapping.deps.userLinks.list(actor.tenantId);
    const known = new Set(agents.value.map((a) => a.agentId));
    const cell = (row: readonly string[], i: number): string => (i < 0 ? '' : csvValue((row[i] ?? '').trim()));
    const wanted = data.map((row) => ({
      agentId: cell(row, agentCol),
      userId: cell(row, idCol),
      upn: cell(row, upnCol),
      width: row.length,
    }));
    const problems: CsvRowProblem[] = [];
    const resolved = wanted.map((w, i) => resolveRow(w, i + 1, header.length, known, users.value, problems));
    checkUniqueness(resolved, links, problems);
    if (problems.length > 0)
      return err({
        code: 'CSV.INVALID_ROWS',
        message: `${problems.length} problem(s) in the file; nothing was changed.`,
        rows: problems,
      });
    const plan = planChanges(actor.tenantId, resolved, links);
    if (!dryRun) await this.write(actor, plan);
    return ok({ linked: plan.put.map((l) => l.agentId), unlinked: plan.remove, unchanged: plan.unchanged, dryRun });
  }

  private async write(actor: Actor, plan: Planned): Promise<void> {
    // Unlinks first, so a Teams user moved from an unlinked agent to another one does not clash.
    for (const agentId of plan.remove) await this.mapping.deps.userLinks.remove(actor.tenantId, agentId, actor.name);
    await this.mapping.deps.userLinks.put(plan.put, actor.name);
    const changed = [...plan.put.map((l) => l.agentId), ...plan.remove];
    if (changed.length > 0) await this.mapping.deps.onLinksChanged(actor.tenantId, changed);
  }
}

interface Resolved {
  readonly row: number;
  readonly agentId: string;
  readonly user?: DirectoryUser;
}

function resolveRow(
  w: { agentId: string; userId: string; upn: string; width: number },
  row: number,
  width: number,
  known: ReadonlySet<string>,
  users: readonly DirectoryUser[],
  problems: CsvRowProblem[],
): Resolved {
  const problem = (column: string, code: CsvRowProblem['code'], message: string): void => {
    problems.push({ row, column, code, message });
  };
  if (w.width !== width) problem('*', 'CSV.BAD_ROW', `The row has ${w.width} cells, the header ${width}.`);
  if (!w.agentId) problem('agentId', 'CSV.REQUIRED', 'agentId is empty.');
  else if (!known.has(w.agentId))
    problem('agentId', 'CSV.UNKNOWN_AGENT', `No agent ${w.agentId} in this tenant's CXone directory.`);
  if (!w.userId && !w.upn) return { row, agentId: w.agentId };
  const needle = w.upn.toLowerCase();
  const user = users.find((u) =>
    w.userId ? u.id === w.userId : u.userPrincipalName.toLowerCase() === needle || u.mail?.toLowerCase() === needle,
  );
  if (!user)
    problem(
      w.userId ? 'teamsUserId' : 'teamsUserPrincipalName',
      'CSV.UNKNOWN_USER',
      `No Entra user ${w.userId || w.upn} in this tenant.`,
    );
  return user ? { row, agentId: w.agentId, user } : { row, agentId: w.agentId };
}

/** Each agent and each user at most once in the file, and a user not kept by an agent the file leaves alone. */
function checkUniqueness(rows: readonly Resolved[], links: readonly UserLink[], problems: CsvRowProblem[]): void {
  const agents = new Map<string, number>();
  const users = new Map<string, number>();
  for (const r of rows) {
    if (r.agentId && agents.has(r.agentId))
      problems.push({
        row: r.row,
        column: 'agentId',
        code: 'CSV.DUPLICATE_AGENT',
        message: `Agent ${r.agentId} is also on row ${agents.get(r.agentId)}.`,
      });
    agents.set(r.agentId, agents.get(r.agentId) ?? r.row);
    if (!r.user) continue;
    if (users.has(r.user.id))
      problems.push({
        row: r.row,
        column: 'teamsUserId',
        code: 'CSV.DUPLICATE_USER',
        message: `Teams user ${r.user.userPrincipalName} is also on row ${users.get(r.user.id)}.`,
      });
    users.set(r.user.id, users.get(r.user.id) ?? r.row);
  }
  for (const r of rows) {
    const holder = r.user && links.find((l) => l.teamsUserId === r.user?.id && l.agentId !== r.agentId);
    if (holder && !agents.has(holder.agentId))
      problems.push({
        row: r.row,
        column: 'teamsUserId',
        code: 'CSV.USER_LINKED_ELSEWHERE',
        message: `Teams user ${r.user?.userPrincipalName} is linked to agent ${holder.agentId}, which this file does not change.`,
      });
  }
}

function planChanges(tenantId: string, rows: readonly Resolved[], links: readonly UserLink[]): Planned {
  const current = new Map(links.map((l) => [l.agentId, l]));
  const plan: Planned = { put: [], remove: [], unchanged: [] };
  for (const r of rows) {
    const before = current.get(r.agentId);
    if (!r.user) (before ? plan.remove : plan.unchanged).push(r.agentId);
    else if (before?.teamsUserId === r.user.id) plan.unchanged.push(r.agentId);
    else
      plan.put.push({
        tenantId,
        agentId: r.agentId,
        teamsUserId: r.user.id,
        source: 'import',
        email: r.user.mail ?? r.user.userPrincipalName,
      });
  }
  return plan;
}
