import type {
  AcdAgent,
  AcdDirectory,
  AcdEventSink,
  AcdGateway,
  AcdStateFeed,
  AcdTeam,
  AcdUnavailableCodeInfo,
  AcdWriteOutcome,
  AcdWriteRefusal,
  ExternalFailure,
} from '../../../src/application/ports.js';
import type { AcdState, AcdStateEvent } from '../../../src/domain/agent-state.js';
import { isOnContact } from '../../../src/domain/agent-state.js';
import { err, ok, type Result } from '../../../src/domain/result.js';
import type { AcdTarget } from '../../../src/domain/sync-state.js';
import type { Clock } from '../../../src/application/ports.js';

interface Agent {
  readonly info: AcdAgent;
  state: AcdState;
  sourceTime: number;
}

/**
 * One tenant's CXone business unit in memory: directory, agent states, state writes and the
 * state feed. Test helpers change states (delivered to the feed) or drift them silently.
 */
export class FakeAcd implements AcdGateway, AcdStateFeed, AcdDirectory {
  readonly agents = new Map<string, Agent>();
  readonly teams: AcdTeam[] = [];
  readonly codes = new Map<string, AcdUnavailableCodeInfo[]>();
  readonly writes: { agentId: string; target: AcdTarget; at: number }[] = [];
  /** Scripted answers for the next writes (consumed in order); otherwise the write applies. */
  readonly writeRefusals: AcdWriteRefusal[] = [];
  snapshotFailure: ExternalFailure | undefined;
  /** Directory listings asked for (the engine lists once for every agent it first sees). */
  listAgentsCalls = 0;
  /**
   * Listings wait until released: an agent seen for the first time (no stored team) then holds
   * its worker — the way a test keeps the engine's workers busy now that Graph writes do not.
   */
  holdDirectory = false;
  private heldListings: (() => void)[] = [];
  /** Snapshots (the reconciler's ACD read) wait until released, then answer what the ACD shows then. */
  holdSnapshot = false;
  private heldSnapshots: (() => void)[] = [];
  private deliver: AcdEventSink | undefined;

  constructor(
    readonly tenantId: string,
    private readonly clock: Clock,
  ) {}

  addAgent(
    agentId: string,
    teamId: string,
    email?: string,
    state: AcdState = { name: 'LoggedOut', afterCallWork: false },
  ): void {
    const info: AcdAgent = {
      agentId,
      firstName: 'A',
      lastName: agentId,
      userName: `${agentId}@cc`,
      teamId,
      isActive: true,
      ...(email ? { email } : {}),
    };
    this.agents.set(agentId, { info, state, sourceTime: this.clock.now() });
    if (!this.teams.some((t) => t.teamId === teamId))
      this.teams.push({ teamId, teamName: `Team ${teamId}`, isActive: true });
  }

  /** The agent's state changes on the ACD; the feed delivers it (once started). */
  async change(agentId: string, state: AcdState): Promise<AcdStateEvent> {
    const event = this.set(agentId, state);
    await this.deliver?.([event]);
    return event;
  }

  /** The state changes but the feed misses it (what reconciliation is for). */
  drift(agentId: string, state: AcdState): AcdStateEvent {
    return this.set(agentId, state);
  }

  stateOf(agentId: string): AcdState | undefined {
    return this.agents.get(agentId)?.state;
  }

  async setAgentState(agentId: string, target: AcdTarget): Promise<Result<AcdWriteOutcome, AcdWriteRefusal>> {
    this.writes.push({ agentId, target, at: this.clock.now() });
    const refusal = this.writeRefusals.shift();
    if (refusal) return err(refusal);
    const agent = this.agents.get(agentId);
    if (!agent) return err({ code: 'AGENT_NOT_FOUND', message: `agent ${agentId} not found` });
    if (isOnContact(agent.state)) return ok('queued');
    const event = this.set(
      agentId,
      target.kind === 'Available'
        ? { name: 'Available', afterCallWork: false }
        : {
            name: 'Unavailable',
            afterCallWork: false,
            unavailableCode: { id: target.codeId, name: `code ${target.codeId}` },
          },
    );
    // The feed reports our own write a moment later, as CXone's real-time data does.
    const deliver = this.deliver;
    if (deliver) setImmediate(() => void deliver([event]));
    return ok('applied');
  }

  async start(deliver: AcdEventSink): Promise<void> {
    this.deliver = deliver;
    await deliver([...this.agents.keys()].map((id) => this.eventOf(id)));
  }

  async stop(): Promise<void> {
    this.deliver = undefined;
  }

  async snapshot(): Promise<Result<readonly AcdStateEvent[], ExternalFailure>> {
    if (this.holdSnapshot) await new Promise<void>((resolve) => this.heldSnapshots.push(resolve));
    if (this.snapshotFailure) return err(this.snapshotFailure);
    return ok([...this.agents.keys()].map((id) => this.eventOf(id)));
  }

  async listTeams(): Promise<Result<readonly AcdTeam[], ExternalFailure>> {
    return ok([...this.teams]);
  }

  releaseSnapshots(): void {
    this.holdSnapshot = false;
    const held = this.heldSnapshots;
    this.heldSnapshots = [];
    for (const release of held) release();
  }

  releaseDirectory(): void {
    this.holdDirectory = false;
    const held = this.heldListings;
    this.heldListings = [];
    for (const release of held) release();
  }

  async listAgents(): Promise<Result<readonly AcdAgent[], ExternalFailure>> {
    this.listAgentsCalls += 1;
    if (this.holdDirectory) await new Promise<void>((resolve) => this.heldListings.push(resolve));
    return ok([...this.agents.values()].map((a) => a.info));
  }

  async listUnavailableCodes(teamId: string): Promise<Result<readonly AcdUnavailableCodeInfo[], ExternalFailure>> {
    return ok(this.codes.get(teamId) ?? []);
  }

  invalidate(): void {}

  private set(agentId: string, state: AcdState): AcdStateEvent {
    const agent = this.agents.get(agentId);
    if (!agent) throw new Error(`unknown agent ${agentId}`);
    // Distinct source times even when the test clock stands still: CXone's lastUpdateTime always moves.
    agent.sourceTime = Math.max(this.clock.now(), agent.sourceTime + 1);
    agent.state = state;
    return this.eventOf(agentId);
  }

  private eventOf(agentId: string): AcdStateEvent {
    const a = this.agents.get(agentId) as Agent;
    return {
      source: 'acd',
      tenantId: this.tenantId,
      agentId,
      state: a.state,
      sourceTime: a.sourceTime,
      eventId: `${agentId}:${a.sourceTime}`,
    };
  }
}
