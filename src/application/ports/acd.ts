import type { AcdStateEvent } from '../../domain/agent-state.js';
import type { Result } from '../../domain/result.js';
import type { AcdTarget } from '../../domain/sync-state.js';
import type { ExternalFailure } from './runtime.js';

/** One ACD agent as the directory knows it (reference/cxone-acd.md §5.3). */
export interface AcdAgent {
  readonly agentId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly userName: string;
  readonly email?: string;
  readonly federatedId?: string;
  readonly teamId: string;
  readonly isActive: boolean;
}

export interface AcdTeam {
  readonly teamId: string;
  readonly teamName: string;
  readonly isActive: boolean;
}

export interface AcdUnavailableCodeInfo {
  readonly id: string;
  readonly name: string;
  readonly isActive: boolean;
  readonly isAcw: boolean;
}

/** The CXone directory, cached by the adapter (refresh period, invalidated on change). */
export interface AcdDirectory {
  listTeams(): Promise<Result<readonly AcdTeam[], ExternalFailure>>;
  listAgents(): Promise<Result<readonly AcdAgent[], ExternalFailure>>;
  listUnavailableCodes(teamId: string): Promise<Result<readonly AcdUnavailableCodeInfo[], ExternalFailure>>;
  /** Drop cached entries so the next read goes to CXone. */
  invalidate(): void;
}

/**
 * Receives agent state changes. The feed advances its cursor only after `deliver` resolves, so an
 * event handed over is durable (written to the inbox) before the feed forgets it.
 */
export type AcdEventSink = (events: readonly AcdStateEvent[]) => Promise<void>;

/** Watches every agent of one tenant's business unit (Real-Time Data polling, reference §2.1). */
export interface AcdStateFeed {
  /** Full snapshot first, deltas after; resolves once the first snapshot was delivered. */
  start(deliver: AcdEventSink): Promise<void>;
  stop(): Promise<void>;
  /** Every agent's current state now (reconciliation). */
  snapshot(): Promise<Result<readonly AcdStateEvent[], ExternalFailure>>;
}

/** Why CXone refused a state write (reference §4), as the engine decides on it. */
export type AcdWriteRefusal =
  | { readonly code: 'AGENT_NOT_FOUND'; readonly message: string }
  | { readonly code: 'CODE_NOT_ON_TEAM'; readonly message: string }
  | { readonly code: 'AGENT_LOGGED_OUT'; readonly message: string }
  | { readonly code: 'ACW_WITHOUT_CONTACT'; readonly message: string }
  | { readonly code: 'EXTERNAL'; readonly failure: ExternalFailure; readonly message: string };

/**
 * `applied`: the state changed now. `queued`: the agent is on a contact; it becomes the next state.
 * `confirmed`: the answer was lost (timeout, reset, 5xx) but the state read back is the target — the
 * write landed, and is not written again.
 */
export type AcdWriteOutcome = 'applied' | 'queued' | 'confirmed';

export interface AcdGateway {
  setAgentState(agentId: string, target: AcdTarget): Promise<Result<AcdWriteOutcome, AcdWriteRefusal>>;
}
