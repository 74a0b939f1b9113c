import type { AcdDirectory, TraceEvent, TraceStore, UserLinkStore } from '../ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { unlinkedTraceAgentId } from './trace-ids.js';

/** Log Reader query: `agent` is an ACD agent id, a Teams (Entra) user id or an e-mail / UPN. */
export interface AgentTraceQuery {
  readonly tenantId: string;
  readonly agent: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

export interface AgentTrace {
  readonly agentId: string;
  readonly teamsUserId?: string;
  readonly events: readonly TraceEvent[];
}

export interface TraceQueryError {
  readonly code: 'TRACE.AGENT_NOT_FOUND';
  readonly message: string;
}

export interface TraceQueryDeps {
  readonly traces: TraceStore;
  readonly userLinks: UserLinkStore;
  /** The tenant's CXone directory, to find an agent by e-mail / user name when it has no link. */
  readonly directory: (tenantId: string) => Promise<AcdDirectory | undefined>;
  /** Flushes buffered hops first, so what was just recorded is in the answer. */
  readonly flush?: () => Promise<void>;
}

const DEFAULT_LIMIT = 500;

/** Finds an agent however support staff name them and returns their hops in a time range. */
export class TraceQueryService {
  constructor(private readonly deps: TraceQueryDeps) {}

  async byAgent(q: AgentTraceQuery): Promise<Result<AgentTrace, TraceQueryError>> {
    await this.deps.flush?.();
    const who = await this.resolve(q.tenantId, q.agent.trim());
    const agentIds = who ? [who.agentId] : [q.agent.trim(), unlinkedTraceAgentId(q.agent.trim())];
    const range = {
      tenantId: q.tenantId,
      limit: q.limit ?? DEFAULT_LIMIT,
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    };
    for (const agentId of agentIds) {
      const events = await this.deps.traces.query({ ...range, agentId });
      if (who || events.length > 0) {
        return ok({ agentId, ...(who?.teamsUserId !== undefined ? { teamsUserId: who.teamsUserId } : {}), events });
      }
    }
    return err({
      code: 'TRACE.AGENT_NOT_FOUND',
      message: `No agent, Teams user or e-mail "${q.agent}" is known in this tenant, and nothing was traced for it.`,
    });
  }

  /** ACD agent id, Teams user id or e-mail → the linked agent (and Teams user). */
  async resolve(tenantId: string, ref: string): Promise<{ agentId: string; teamsUserId?: string } | undefined> {
    const links = this.deps.userLinks;
    const link =
      (await links.byAgent(tenantId, ref)) ??
      (await links.byTeamsUser(tenantId, ref)) ??
      (ref.includes('@')
        ? (await links.list(tenantId)).find((l) => l.email?.toLowerCase() === ref.toLowerCase())
        : undefined);
    if (link) return { agentId: link.agentId, teamsUserId: link.teamsUserId };
    return this.fromDirectory(tenantId, ref);
  }

  private async fromDirectory(tenantId: string, ref: string): Promise<{ agentId: string } | undefined> {
    const directory = await this.deps.directory(tenantId);
    if (!directory) return undefined;
    const agents = await directory.listAgents();
    if (!agents.ok) return undefined;
    const needle = ref.toLowerCase();
    // The Log Reader's field says "id, e-mail or name": "Grace Sato", "sato grace" and "Sato, Grace" find her.
    const name = normalName(ref);
    const agent =
      agents.value.find(
        (a) => a.agentId === ref || a.email?.toLowerCase() === needle || a.userName.toLowerCase() === needle,
      ) ?? agents.value.find((a) => namesOf(a).includes(name));
    return agent ? { agentId: agent.agentId } : undefined;
  }
}

const normalName = (s: string): string => s.toLowerCase().replace(/,/g, ' ').replace(/\s+/g, ' ').trim();

/** The ways an admin writes an agent's name: first last, last first, "last, first". */
function namesOf(a: { readonly firstName?: string; readonly lastName?: string }): string[] {
  const first = a.firstName?.trim() ?? '';
  const last = a.lastName?.trim() ?? '';
  if (!first && !last) return [];
  return [normalName(`${first} ${last}`), normalName(`${last} ${first}`)];
}
