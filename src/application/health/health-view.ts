import type { HealthStatus } from '../ports.js';

/** The Health Check as the API reads it from the model (or another instance's answer). */
export interface HealthSnapshotLike {
  readonly status: HealthStatus;
  readonly syncActive: boolean;
  readonly syncDetail: string;
  readonly components: readonly {
    readonly component: string;
    readonly status: HealthStatus;
    readonly detail: string;
    readonly since: number;
    readonly lastSuccess?: number;
  }[];
  readonly activeSyncs: readonly {
    readonly ruleId: string;
    readonly direction: string;
    readonly status: string;
    readonly lastHour: number;
    readonly lastDay: number;
    readonly lastAt: number;
  }[];
}

/** Names an admin knows things by; undefined when unknown (the raw id is shown then). */
export interface HealthNames {
  rule(ruleId: string): string | undefined;
  code(codeId: string): string | undefined;
  owner(ownerId: string): string | undefined;
}

export type HealthHeadline = {
  readonly state: 'syncing' | 'degraded' | 'stopped';
  readonly title: string;
  readonly why: string;
};

const COMPONENTS: Readonly<Record<string, readonly [label: string, action: string]>> = {
  'acd.connection': [
    'CXone connection',
    'Check that CXone is reachable; Settings → CXone → Test connection says what CXone answers.',
  ],
  'acd.auth': ['CXone sign-in', 'CXone refused the credentials: enter a new secret on the Settings page.'],
  'acd.writes': [
    'CXone state changes',
    'CXone refused agent state changes: check that the rules’ unavailable codes exist on the agents’ teams.',
  ],
  'graph.auth': ['Microsoft Graph sign-in', 'Grant admin consent again (Setup page) or renew the app’s client secret.'],
  'graph.presence': [
    'Teams presence writes',
    'Graph refused or throttled presence writes; they are retried. If it lasts, check the Presence.ReadWrite.All consent.',
  ],
  subscriptions: [
    'Teams presence subscriptions',
    'Teams → CXone needs presence subscriptions. One that Graph removed without notice is recreated within a minute on its own; if this stays, connect or sign in again a subscription owner (Settings → Subscription owners).',
  ],
  webhook: [
    'Teams notifications',
    'Graph cannot deliver presence notifications: check the public address and its certificate.',
  ],
  reconciliation: ['Drift correction', 'Comparing both sides failed; it is retried every period.'],
  store: ['Database', 'The database cannot be reached: check DATABASE_URL and the database server.'],
  bot: ['Bot', 'Check the bot registration and its messaging endpoint.'],
  sync: ['Sync engine', 'Turn sync on from the Setup page once every step is done.'],
};
const OWNER_ACTION = 'The owner’s sign-in was refused: ask them to sign in again (Settings → Subscription owners).';
const RANK: Record<HealthStatus, number> = { down: 0, degraded: 1, ok: 2 };
const DIRECTIONS: Readonly<Record<string, string>> = {
  'acd-to-teams': 'CXone → Teams',
  'teams-to-acd': 'Teams → CXone',
};

/** A component id as an admin reads it, and what to do when it fails. */
export function componentLabel(component: string, names: HealthNames): { label: string; action: string } {
  if (component.startsWith('owner:')) {
    const id = component.slice('owner:'.length);
    return { label: `Subscription owner ${names.owner(id) ?? id}`, action: OWNER_ACTION };
  }
  const known = COMPONENTS[component];
  return known ? { label: known[0], action: known[1] } : { label: component, action: '' };
}

/** `Busy/InACall` → "Busy / InACall", `Unavailable:<code id>` → "Unavailable: Lunch", `clear` → its meaning. */
export function syncedStatusLabel(status: string, names: HealthNames): string {
  if (status === 'clear') return 'Teams presence handed back to the user';
  if (status.startsWith('Unavailable:')) {
    const code = status.slice('Unavailable:'.length);
    return `Unavailable: ${names.code(code) ?? code}`;
  }
  return status.replace('/', ' / ');
}

export const directionLabel = (direction: string): string => DIRECTIONS[direction] ?? direction;

/** One headline: syncing, degraded or stopped, with why — never "down" next to "sync active". */
export function headline(h: HealthSnapshotLike, labelOf: (component: string) => string): HealthHeadline {
  const failing = h.components
    .filter((c) => c.status !== 'ok')
    .sort((a, b) => RANK[a.status] - RANK[b.status])
    .map((c) => `${labelOf(c.component)} ${c.status === 'down' ? 'down' : 'degraded'}: ${c.detail}`);
  if (!h.syncActive)
    return { state: 'stopped', title: 'Sync stopped', why: [h.syncDetail, ...failing].filter(Boolean).join(' · ') };
  if (failing.length > 0) return { state: 'degraded', title: 'Sync degraded', why: failing.join(' · ') };
  return { state: 'syncing', title: 'Syncing', why: h.syncDetail };
}

type Component = HealthSnapshotLike['components'][number];
type Synced = HealthSnapshotLike['activeSyncs'][number];
export type HealthView<T extends HealthSnapshotLike> = Omit<T, 'components' | 'activeSyncs'> & {
  readonly headline: HealthHeadline;
  readonly components: readonly (Component & { readonly label: string; readonly action: string })[];
  readonly activeSyncs: readonly (Synced & {
    readonly ruleName: string;
    readonly statusLabel: string;
    readonly directionLabel: string;
  })[];
};

/**
 * The Health Check an admin reads: the headline, failing components first (then by name, so rows
 * do not move between refreshes), human names, and synced statuses in a stable order.
 */
export function healthView<T extends HealthSnapshotLike>(h: T, names: HealthNames): HealthView<T> {
  const components = h.components
    .map((c) => ({ ...c, ...componentLabel(c.component, names) }))
    .sort((a, b) => RANK[a.status] - RANK[b.status] || a.label.localeCompare(b.label));
  const activeSyncs = h.activeSyncs
    .map((s) => ({
      ...s,
      ruleName: names.rule(s.ruleId) ?? s.ruleId,
      statusLabel: syncedStatusLabel(s.status, names),
      directionLabel: directionLabel(s.direction),
    }))
    .sort(
      (a, b) =>
        a.ruleName.localeCompare(b.ruleName) ||
        a.direction.localeCompare(b.direction) ||
        a.statusLabel.localeCompare(b.statusLabel),
    );
  return {
    ...h,
    headline: headline(h, (c) => componentLabel(c, names).label),
    components,
    activeSyncs,
  };
}
