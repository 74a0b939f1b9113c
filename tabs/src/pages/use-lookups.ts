import type { AcdAgentView, AcdTeam, Items, Presences } from '../types.js';
import { useApi, type Loaded } from '../use-api.js';
import type { Lookups } from './rule-editor.js';

/** What the rule editor offers: ACD teams with codes, agents, Teams presences. */
export function useLookups(): Loaded<Lookups> {
  const [teams] = useApi<Items<AcdTeam>>('/lookups/teams');
  const [agents] = useApi<Items<AcdAgentView>>('/lookups/agents');
  const [presences] = useApi<Presences>('/lookups/presences');
  for (const s of [teams, agents, presences]) if (s.status !== 'ready') return s;
  if (teams.status !== 'ready' || agents.status !== 'ready' || presences.status !== 'ready')
    return { status: 'loading' };
  return {
    status: 'ready',
    value: { teams: teams.value.items, agents: agents.value.items, presences: presences.value },
  };
}
