import type { DecideInput, Decision } from './effects.js';
import { decideAcdEvent, decideTick } from './decide-acd.js';
import { decideTeamsEvent } from './decide-teams.js';

/**
 * The sync decision: (effective rule, what we know of both sides, one event) → effects and the
 * agent's next state. Pure and total: every event yields at least one effect, a skip saying why
 * when nothing happens. The policies it encodes are documented where they live:
 * decide-acd (ordering, echo of our ACD writes, debounce ticks), decide-publish (voice only,
 * no-sync states, clearing, hand-set Teams status), decide-subscribe (ACD wins on a contact,
 * restoring only what we replaced), decide-teams (ordering, echo of our Teams writes).
 */
export function decide(input: DecideInput): Decision {
  const event = input.event;
  switch (event.source) {
    case 'acd':
      return decideAcdEvent(input, event);
    case 'teams':
      return decideTeamsEvent(input, event);
    case 'tick':
      return decideTick(input, event);
  }
}
