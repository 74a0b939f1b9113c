import templating from 'adaptivecards-templating';
import type { Attachment } from '@microsoft/agents-activity';
import { CardFactory } from '@microsoft/agents-hosting';
import { componentLabel } from '../../application/health/health-view.js';
import type { TraceEvent } from '../../application/ports.js';
import type { PresenceRule, RuleScope } from '../../domain/presence-rule.js';
import { BOT_COMMANDS } from './bot-commands.js';
import { CARD_TEMPLATES, type CardName } from './bot-card-templates.js';
import { acdStateName, acdTargetName, componentName, DIRECTION_NAMES, presenceName } from './bot-names.js';
import type {
  BotAgentStatusView,
  BotHealthStatus,
  BotHealthTransition,
  BotHealthView,
  BotLastSync,
} from './bot-queries.js';

/** The personal app's static tabs (manifest entityIds); the bot deep-links into them. */
export type TabPage = 'rules' | 'users' | 'health' | 'logreader' | 'settings';

/** Deep links into the Presence Sync personal app; the Log Reader gets the agent as `subEntityId`. */
export class BotLinks {
  constructor(private readonly teamsAppId: string) {}

  tab(page: TabPage = 'rules', agent?: string): string {
    const base = `https://teams.microsoft.com/l/entity/${encodeURIComponent(this.teamsAppId)}/${page}`;
    if (agent === undefined) return base;
    return `${base}?context=${encodeURIComponent(JSON.stringify({ subEntityId: `agent:${agent}` }))}`;
  }
}

const ICONS: Record<BotHealthStatus | 'unknown', string> = { ok: '✅', degraded: '⚠️', down: '⛔', unknown: '❔' };

/** `2026-11-25 09:30:12 UTC`: cards are read by people in many time zones. */
export const formatTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

export function renderCard(name: CardName, data: Readonly<Record<string, unknown>>): Attachment {
  const expanded: unknown = new templating.Template(CARD_TEMPLATES[name]).expand({ $root: data });
  return CardFactory.adaptiveCard(expanded);
}

const commandRows = () => BOT_COMMANDS.map((c) => ({ name: c.name, usage: c.usage, description: c.description }));

export const welcomeCard = (links: BotLinks): Attachment =>
  renderCard('welcome', { commands: commandRows(), tabUrl: links.tab() });

export const helpCard = (links: BotLinks, note = ''): Attachment =>
  renderCard('help', { commands: commandRows(), tabUrl: links.tab(), note });

export function healthCard(view: BotHealthView, links: BotLinks): Attachment {
  const components = view.components.map((c) => ({
    icon: ICONS[c.status],
    component: componentName(c.component),
    status: c.status,
    detail: c.detail || '—',
    since: formatTime(c.since),
    lastSuccess: c.lastSuccess === undefined ? '' : ` · last success ${formatTime(c.lastSuccess)}`,
  }));
  return renderCard('health', {
    overall: `${ICONS[view.status]} ${view.status}`,
    syncDetail: view.syncDetail || (view.syncActive ? 'active' : 'inactive'),
    components,
    healthUrl: links.tab('health'),
  });
}

export function statusCard(view: BotAgentStatusView, links: BotLinks): Attachment {
  const who = [view.name, view.email].filter(Boolean).join(' · ');
  return renderCard('status', {
    heading: `Agent ${view.agentId}${who ? ` (${who})` : ''}`,
    acdState: view.acdState ? acdStateName(view.acdState) : 'not known yet',
    teamsPresence:
      view.teamsUserId === undefined
        ? 'no linked Teams user'
        : view.teamsPresence
          ? presenceName(view.teamsPresence)
          : 'not known yet',
    rule: view.rule ? `${view.rule.name} (${view.rule.id})` : 'none',
    why: view.ruleExplanation,
    lastSync: view.lastSync ? `${formatTime(view.lastSync.at)}: ${lastSyncText(view.lastSync)}` : 'never',
    logReaderUrl: links.tab('logreader', view.agentId),
  });
}

const lastSyncText = (s: BotLastSync): string =>
  s.side === 'teams'
    ? s.presence === null
      ? 'Teams presence cleared (CXone → Teams)'
      : `Teams set to ${presenceName(s.presence)} (CXone → Teams)`
    : `CXone set to ${acdTargetName(s.target, s.codeName)} (Teams → CXone)`;

export function traceCard(agentId: string, hops: readonly TraceEvent[], links: BotLinks): Attachment {
  return renderCard('trace', {
    agentId,
    hops: hops.map((h) => ({
      hop: h.hop,
      time: formatTime(h.at),
      latency: h.latencyMs === undefined ? '' : ` · +${h.latencyMs} ms`,
      summary: h.summary,
    })),
    logReaderUrl: links.tab('logreader', agentId),
  });
}

const scopeText = (scope: RuleScope): string =>
  scope.kind === 'team' ? `teams ${scope.teamIds.join(', ')}` : `agents ${scope.agentIds.join(', ')}`;

export function rulesCard(rules: readonly PresenceRule[], links: BotLinks): Attachment {
  const rows = rules.map((r) => ({
    name: r.name,
    summary: `${r.enabled ? 'enabled' : 'disabled'} · ${DIRECTION_NAMES[r.direction]} · ${scopeText(r.scope)} · ${r.mappings.length} mapping${r.mappings.length === 1 ? '' : 's'}`,
  }));
  return renderCard('rules', { rules: rows, rulesUrl: links.tab('rules') });
}

const NO_NAMES = { rule: () => undefined, code: () => undefined, owner: () => undefined };

/** When it began, not when the debounce confirmed it; a merged line also says when its first change began. */
function whenText(c: BotHealthTransition): string {
  const since = `${c.to} since ${formatTime(c.since ?? c.at)}`;
  return c.via?.length && c.began !== undefined ? `began ${formatTime(c.began)} · ${since}` : since;
}

export function alertCard(changes: readonly BotHealthTransition[], links: BotLinks): Attachment {
  const down = changes.some((c) => c.to !== 'ok');
  return renderCard('alert', {
    heading: down ? 'Presence Sync: a component needs attention' : 'Presence Sync: recovered',
    changes: changes.map((c) => ({
      icon: ICONS[c.to],
      component: componentName(c.component),
      path: [c.from, ...(c.via ?? []), c.to].join(' → '),
      detail: c.detail || '—',
      // The Health Check's advice for the component, on the card that calls the admin in.
      action: c.to === 'ok' ? '' : componentLabel(c.component, NO_NAMES).action,
      at: whenText(c),
    })),
    healthUrl: links.tab('health'),
  });
}
