import type { AcdAgent, AcdDirectory, AcdTeam, AcdUnavailableCodeInfo, ExternalFailure } from '../ports.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import type { PartnerPlatform } from '../../domain/tenant.js';
import { err, ok, type Result } from '../../domain/result.js';

/** One ACD team with the unavailable codes it offers (rule validation and the editors). */
export interface CatalogTeam {
  readonly teamId: string;
  readonly teamName: string;
  readonly isActive: boolean;
  readonly codes: readonly AcdUnavailableCodeInfo[];
}

/** What a rule is validated against: the tenant's ACD directory and its other rules. */
export interface RuleCatalog {
  readonly teams: readonly CatalogTeam[];
  readonly agents: readonly AcdAgent[];
  readonly otherRules: readonly PresenceRule[];
  readonly partnerPlatform: PartnerPlatform;
}

/** Why a use case could not reach the tenant's ACD directory. */
export type DirectoryProblem =
  | { readonly code: 'ACD.NOT_CONNECTED'; readonly message: string }
  | { readonly code: 'ACD.UNAVAILABLE'; readonly message: string; readonly failure: ExternalFailure };

/**
 * The tenant's CXone directory, or undefined when the tenant has not connected CXone yet. Async:
 * a request is answered on any instance, which builds the directory from the stored connection.
 */
export type DirectoryFor = (tenantId: string) => Promise<AcdDirectory | undefined>;

export async function directoryOf(
  directoryFor: DirectoryFor,
  tenantId: string,
): Promise<Result<AcdDirectory, DirectoryProblem>> {
  const directory = await directoryFor(tenantId);
  return directory
    ? ok(directory)
    : err({
        code: 'ACD.NOT_CONNECTED',
        message: 'CXone is not connected for this tenant yet: connect it on the Settings page.',
      });
}

export const unavailable = (failure: ExternalFailure): DirectoryProblem => ({
  code: 'ACD.UNAVAILABLE',
  message: `CXone could not be reached (${failure.code}: ${failure.message}).`,
  failure,
});

/** Teams with their unavailable codes; codes are read per team (the adapter caches them). */
export async function loadTeams(directory: AcdDirectory): Promise<Result<readonly CatalogTeam[], DirectoryProblem>> {
  const teams = await directory.listTeams();
  if (!teams.ok) return err(unavailable(teams.error));
  const withCodes = await Promise.all(teams.value.map((t) => withTeamCodes(directory, t)));
  const failed = withCodes.find((r) => !r.ok);
  if (failed && !failed.ok) return failed;
  return ok(withCodes.flatMap((r) => (r.ok ? [r.value] : [])));
}

async function withTeamCodes(directory: AcdDirectory, team: AcdTeam): Promise<Result<CatalogTeam, DirectoryProblem>> {
  const codes = await directory.listUnavailableCodes(team.teamId);
  if (!codes.ok) return err(unavailable(codes.error));
  return ok({ teamId: team.teamId, teamName: team.teamName, isActive: team.isActive, codes: codes.value });
}

export async function loadCatalog(
  directory: AcdDirectory,
  otherRules: readonly PresenceRule[],
  partnerPlatform: PartnerPlatform,
): Promise<Result<RuleCatalog, DirectoryProblem>> {
  const [teams, agents] = await Promise.all([loadTeams(directory), directory.listAgents()]);
  if (!teams.ok) return teams;
  if (!agents.ok) return err(unavailable(agents.error));
  return ok({ teams: teams.value, agents: agents.value, otherRules, partnerPlatform });
}

/** The agents a rule scope covers today (team scope: the team's current members). */
export function agentsInScope(rule: Pick<PresenceRule, 'scope'>, agents: readonly AcdAgent[]): readonly string[] {
  const scope = rule.scope;
  if (scope.kind === 'user') return [...scope.agentIds];
  const teams = new Set(scope.teamIds);
  return agents.filter((a) => teams.has(a.teamId)).map((a) => a.agentId);
}
