import type { AcdState } from '../../domain/agent-state.js';
import type { RuleDirection } from '../../domain/presence-rule.js';
import type { TeamsPresence } from '../../domain/presence.js';
import type { AcdTarget } from '../../domain/sync-state.js';

/**
 * What the cards call things: the words an admin uses ("Unavailable – Lunch", "Busy – In a call",
 * "CXone → Teams"), not the engine's tokens. The component's code stays next to its name, in
 * brackets, because that is what logs and support tickets quote.
 */

/** `InACall` → `In a call`, `DoNotDisturb` → `Do not disturb`. */
function sentence(token: string): string {
  const spaced = token
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function presenceName(presence: TeamsPresence | null): string {
  if (presence === null) return 'cleared (the user’s own status shows)';
  const availability = sentence(presence.availability);
  const activity = sentence(presence.activity);
  return availability.toLowerCase() === activity.toLowerCase() ? availability : `${availability} – ${activity}`;
}

const CONTACT_NAMES: Partial<Record<AcdState['name'], readonly [voice: string, digital: string]>> = {
  InboundContact: ['Inbound call', 'Inbound digital contact'],
  OutboundContact: ['Outbound call', 'Outbound digital contact'],
  InboundConsult: ['Consult call (inbound)', 'Consult (inbound)'],
  OutboundConsult: ['Consult call (outbound)', 'Consult (outbound)'],
  Dialer: ['Dialer call', 'Dialer contact'],
};
const COUNTERPARTS = { customer: 'with a customer', agent: 'with an agent', skill: 'to a skill' } as const;

export function acdStateName(state: AcdState): string {
  if (state.name === 'Unavailable') {
    if (state.afterCallWork) return 'After-call work';
    return state.unavailableCode ? `Unavailable – ${state.unavailableCode.name}` : 'Unavailable';
  }
  const contact = CONTACT_NAMES[state.name];
  if (contact) {
    const name = state.contact?.media === 'digital' ? contact[1] : contact[0];
    return state.contact ? `${name} ${COUNTERPARTS[state.contact.counterpart]}` : name;
  }
  return sentence(state.name);
}

/** A state we asked CXone for; the code's name when known, else its id. */
export const acdTargetName = (target: AcdTarget, codeName?: string): string =>
  target.kind === 'Available' ? 'Available' : `Unavailable – ${codeName ?? `code ${target.codeId}`}`;

export const DIRECTION_NAMES: Readonly<Record<RuleDirection, string>> = {
  publisher: 'CXone → Teams',
  subscriber: 'Teams → CXone',
  bidirectional: 'CXone ⇄ Teams',
};

const COMPONENT_NAMES: Readonly<Record<string, string>> = {
  'acd.connection': 'CXone connection',
  'acd.auth': 'CXone sign-in',
  'acd.writes': 'CXone state changes',
  'graph.auth': 'Microsoft sign-in',
  'graph.presence': 'Teams presence',
  subscriptions: 'Teams presence subscriptions',
  webhook: 'Teams notifications',
  reconciliation: 'Reconciliation',
  store: 'Database',
  bot: 'Bot',
  sync: 'Sync',
};

/** `CXone connection (acd.connection)`; a subscription owner's component names the owner. */
export function componentName(component: string): string {
  if (component.startsWith('owner:')) return `Subscription owner ${component.slice('owner:'.length)} (${component})`;
  const name = COMPONENT_NAMES[component];
  return name ? `${name} (${component})` : component;
}
