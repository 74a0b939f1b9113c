/**
 * The bot's Adaptive Cards as templates (adaptivecards-templating). Teams renders schema 1.5;
 * the bindings are filled from plain view models (bot-cards.ts), so the templates hold no logic
 * beyond repetition and `$when`.
 */
type Json = Readonly<Record<string, unknown>>;

const card = (body: readonly Json[], actions: readonly Json[]): Json => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body,
  actions,
});

const title = (text: string): Json => ({ type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true });
const text = (value: string, extra: Json = {}): Json => ({ type: 'TextBlock', text: value, wrap: true, ...extra });
const openUrl = (label: string, url: string): Json => ({ type: 'Action.OpenUrl', title: label, url });
const say = (label: string, value: string): Json => ({
  type: 'Action.Submit',
  title: label,
  data: { msteams: { type: 'imBack', value } },
});

const welcome = card(
  [
    title('Presence Sync is installed'),
    text(
      'Presence Sync keeps NICE CXone agent states and Microsoft Teams presence in step: on a CXone voice call Teams shows the agent Busy / In a call, and a Do Not Disturb in Teams can stop CXone routing to them.',
    ),
    text(
      'Admins set it up in the **Presence Sync** tab: Rules, Users, Health Check, Log Reader and Settings. I will post here when a component goes down or recovers.',
    ),
    { type: 'FactSet', facts: [{ $data: '${commands}', title: '${name}', value: '${description}' }] },
  ],
  [openUrl('Open Presence Sync', '${tabUrl}'), say('Help', 'help'), say('Health', 'health')],
);

const help = card(
  [
    title('What I can do'),
    { type: 'FactSet', facts: [{ $data: '${commands}', title: '${usage}', value: '${description}' }] },
    text('${note}', { isSubtle: true, $when: "${note != ''}" }),
  ],
  [openUrl('Open Presence Sync', '${tabUrl}')],
);

const health = card(
  [
    title('Health Check: ${overall}'),
    text('Sync: ${syncDetail}', { isSubtle: true }),
    {
      type: 'Container',
      $data: '${components}',
      separator: true,
      items: [
        text('${icon} **${component}**: ${status}'),
        text('${detail}', { isSubtle: true, spacing: 'None' }),
        text('since ${since}${lastSuccess}', { isSubtle: true, size: 'Small', spacing: 'None' }),
      ],
    },
    text('No component has reported yet.', { $when: '${count(components) == 0}' }),
  ],
  [openUrl('Open Health Check', '${healthUrl}')],
);

const status = card(
  [
    title('${heading}'),
    {
      type: 'FactSet',
      facts: [
        { title: 'ACD state', value: '${acdState}' },
        { title: 'Teams presence', value: '${teamsPresence}' },
        { title: 'Rule', value: '${rule}' },
        { title: 'Why', value: '${why}' },
        { title: 'Last sync', value: '${lastSync}' },
      ],
    },
  ],
  [openUrl('Open in Log Reader', '${logReaderUrl}')],
);

const trace = card(
  [
    title('Last hops of agent ${agentId}'),
    {
      type: 'Container',
      $data: '${hops}',
      separator: true,
      items: [text('**${hop}** · ${time}${latency}'), text('${summary}', { isSubtle: true, spacing: 'None' })],
    },
    text('No hops recorded for this agent yet.', { $when: '${count(hops) == 0}' }),
  ],
  [openUrl('Open in Log Reader', '${logReaderUrl}')],
);

const rules = card(
  [
    title('Presence rules (${count(rules)})'),
    { type: 'FactSet', facts: [{ $data: '${rules}', title: '${name}', value: '${summary}' }] },
    text('No rules yet: write one in the Rules page.', { $when: '${count(rules) == 0}' }),
  ],
  [openUrl('Open Rules', '${rulesUrl}')],
);

const alert = card(
  [
    title('${heading}'),
    {
      type: 'Container',
      $data: '${changes}',
      separator: true,
      items: [
        text('${icon} **${component}**: ${path}'),
        text('${detail}', { isSubtle: true, spacing: 'None' }),
        text('What to do: ${action}', { spacing: 'None', $when: "${action != ''}" }),
        text('${at}', { isSubtle: true, size: 'Small', spacing: 'None' }),
      ],
    },
  ],
  [openUrl('Open Health Check', '${healthUrl}')],
);

/** Every card template by name. */
export const CARD_TEMPLATES = Object.freeze({ welcome, help, health, status, trace, rules, alert });
export type CardName = keyof typeof CARD_TEMPLATES;
