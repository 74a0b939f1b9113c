import {
  ACD_STATE_NAMES,
  type AcdContact,
  type AcdState,
  type AcdStateEvent,
  type AcdStateName,
} from '../../domain/agent-state.js';
import type { RtdAgentState } from './cxone-schemas.js';

/** Reference §6: out-state ids −13…3 are reserved platform states; any other value is a customer unavailable code. */
const RESERVED_OUT_STATES = { min: -13, max: 3 } as const;

export const isCustomerCode = (outStateId: number): boolean =>
  outStateId < RESERVED_OUT_STATES.min || outStateId > RESERVED_OUT_STATES.max;

const isStateName = (name: string): name is AcdStateName => (ACD_STATE_NAMES as readonly string[]).includes(name);

/** The domain state of one Real-Time record; undefined for a state name the domain does not know. */
export function toAcdState(r: RtdAgentState, contact: AcdContact | undefined): AcdState | undefined {
  if (!isStateName(r.stateName)) return undefined;
  const unavailable = r.stateName === 'Unavailable';
  return {
    name: r.stateName,
    afterCallWork: unavailable && r.isAcw,
    ...(unavailable && isCustomerCode(r.outStateId)
      ? { unavailableCode: { id: String(r.outStateId), name: r.outStateDescription } }
      : {}),
    ...(contact ? { contact } : {}),
  };
}

/**
 * The observation id: the same record read twice (overlapping polls, a retry after a failed
 * delivery) gives the same id, so the inbox dedupes it; any visible change gives a new one.
 */
export function eventIdOf(r: RtdAgentState): string {
  return `cxone:${r.agentId}:${Date.parse(r.lastUpdateTime)}:${r.stateName}:${r.outStateId}:${r.isAcw ? 1 : 0}:${r.contactId ?? 0}`;
}

export function toAcdStateEvent(
  tenantId: string,
  r: RtdAgentState,
  contact: AcdContact | undefined,
): AcdStateEvent | undefined {
  const state = toAcdState(r, contact);
  const sourceTime = Date.parse(r.lastUpdateTime);
  if (!state || Number.isNaN(sourceTime)) return undefined;
  return { source: 'acd', tenantId, agentId: r.agentId, state, sourceTime, eventId: eventIdOf(r) };
}
