import type { AcdState, AcdStateEvent } from './agent-state.js';
import { isOnContact } from './agent-state.js';
import { acdTargetOfState, stateIsTarget } from './match.js';
import type { AcdTarget, AcdWrite, AgentSyncState, HeldAcdWrite } from './sync-state.js';

/**
 * The lifecycle of a subscriber write (Teams → ACD), kept apart from what the ACD was last seen
 * doing (`agent.acd`) and what Teams asks for (`agent.teams`):
 *
 *   request ──→ requested ──ACD shows it──→ shown ──ACD shows another state──→ (left: forgotten)
 *                  │  └─ACD on a contact/ACW: stays requested (CXone applies it when the contact ends)
 *                  └─Teams goes back──→ released ──next ACD observation──→ (forgotten)
 *   shown ──Teams goes back──→ restoring ──ACD shows another state──→ (forgotten)
 *                                  └─Teams asks for it again──→ requested (over the restored state)
 *
 * Observations older than the write say nothing about it; a logout ends any write.
 */

/** How much earlier than our decision CXone may date a state we wrote (two machines' clocks). */
export const CLOCK_SKEW_MS = 60_000;

/** The write we hold (requested or shown), if any. */
export function heldWrite(agent: Pick<AgentSyncState, 'acdWritten'>): HeldAcdWrite | undefined {
  const write = agent.acdWritten;
  return write !== undefined && (write.phase === 'requested' || write.phase === 'shown') ? write : undefined;
}

/** A new write of `target` over the state the ACD shows; null when that state could not be restored later. */
export function requested(agent: AgentSyncState, target: AcdTarget, now: number, ruleId: string): HeldAcdWrite | null {
  const state = agent.acd!.state;
  const restoring = agent.acdWritten?.phase === 'restoring' ? agent.acdWritten : undefined;
  // The restore is on its way: when this write lands the agent will have been in the restored state.
  if (restoring)
    return { phase: 'requested', target, replaced: restoring.replaced, over: restoring.replaced, at: now, ruleId };
  const over = acdTargetOfState(state);
  const held = heldWrite(agent);
  // Still in what we set: switching codes keeps the original state to restore. Otherwise the agent moved: start afresh.
  const replaced = held && stateIsTarget(state, held.target) ? held.replaced : over;
  if (replaced === null || over === null) return null;
  return { phase: 'requested', target, replaced, over, at: now, ruleId };
}

/**
 * Teams went back. A write still requested while the ACD shows what it went over has not reached the
 * agent: restoring is still ours to do, and the write is released (its late arrival is our own).
 * Null when the agent moved away from it themselves: their choice stays.
 */
export function releasing(write: HeldAcdWrite, seen: AcdState, now: number): AcdWrite | null {
  if (write.phase === 'requested' && stateIsTarget(seen, write.over))
    return { phase: 'released', target: write.target, at: write.at };
  if (!stateIsTarget(seen, write.target)) return null;
  return { phase: 'restoring', target: write.target, replaced: write.replaced, at: now };
}

/** Whether the ACD shows `target` only because our restore has not been reported yet. */
export const restoringFrom = (agent: AgentSyncState, target: AcdTarget): boolean =>
  agent.acdWritten?.phase === 'restoring' && sameTarget(agent.acdWritten.target, target);

const sameTarget = (a: AcdTarget, b: AcdTarget): boolean =>
  a.kind === b.kind && (a.kind === 'Available' || a.codeId === (b as { codeId: string }).codeId);

export interface AcdObserved {
  /** The write after this observation (undefined: it ended). */
  readonly write: AcdWrite | undefined;
  /** The observation is our released write arriving late (not the agent's choice). */
  readonly ownLateArrival: boolean;
  /** The agent arrived in our code with this observation (from a state that was not it). */
  readonly arrived: boolean;
}

/** The ACD reported `event` (newer than `before`, the state seen until now): where our write stands. */
export function observeAcd(
  write: AcdWrite | undefined,
  event: AcdStateEvent,
  before: AcdState | undefined,
): AcdObserved {
  const ended = { write: undefined, ownLateArrival: false, arrived: false } as const;
  if (write === undefined) return ended;
  if (write.phase === 'released')
    return {
      ...ended,
      ownLateArrival: stateIsTarget(event.state, write.target) && event.sourceTime >= write.at - CLOCK_SKEW_MS,
    };
  if (write.phase === 'restoring')
    return stateIsTarget(event.state, write.target) ? { write, ownLateArrival: false, arrived: false } : ended;
  if (event.state.name === 'LoggedOut') return ended;
  if (stateIsTarget(event.state, write.target))
    return {
      write: { ...write, phase: 'shown' },
      ownLateArrival: false,
      arrived: before === undefined || !stateIsTarget(before, write.target),
    };
  const unchanged = { write, ownLateArrival: false, arrived: false };
  if (event.sourceTime <= write.at) return unchanged;
  // A contact reached before the ACD showed our write started before CXone applied it; CXone applies it when the contact ends.
  if (write.phase === 'requested' && (isOnContact(event.state) || event.state.afterCallWork)) return unchanged;
  return ended;
}
