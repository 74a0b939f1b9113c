import { app, authentication, pages } from '@microsoft/teams-js';
import { browserPopup, teamsPopup } from './auth-popup.js';

export type ThemeName = 'default' | 'dark' | 'contrast';

/** Where the tab runs and how it gets a bearer token for the API. */
export interface HostSession {
  readonly inTeams: boolean;
  readonly theme: ThemeName;
  /** Deep-link target (`agent:<id>` opens the Log Reader on that agent). */
  readonly subPageId: string;
  readonly userName: string;
  /** Teams' frame context: `content` for a tab, `settings` for a channel tab's configuration page. */
  readonly frameContext: string;
  /** The static tab's entity id (Teams names the tab the user opened), '' outside Teams. */
  readonly entityId: string;
  /** The channel tab's configuration API (teams-js `pages.config`), only in the `settings` frame. */
  readonly tabConfig?: TabConfigHost;
  getToken(): Promise<string>;
  /** Opens `url` (same origin) in a sign-in popup; resolves with what its last page hands back ('' when closed). */
  authenticate(url: string): Promise<string>;
  onThemeChange(listener: (theme: ThemeName) => void): void;
}

/** What a configuration page tells Teams: whether Save may be pressed, and what to save. */
export interface TabConfigHost {
  setValid(valid: boolean): void;
  /** Teams calls `save` when the user presses Save; it must resolve once the config is set. */
  onSave(save: () => Promise<void>): void;
  setConfig(config: {
    entityId: string;
    contentUrl: string;
    websiteUrl: string;
    suggestedDisplayName: string;
  }): Promise<void>;
}

const teamsTabConfig: TabConfigHost = {
  setValid: (valid) => pages.config.setValidityState(valid),
  onSave: (save) =>
    pages.config.registerOnSaveHandler((event) => {
      save().then(
        () => event.notifySuccess(),
        (e: Error) => event.notifyFailure(e.message),
      );
    }),
  setConfig: (config) => pages.config.setConfig(config),
};

const asTheme = (t: string | undefined): ThemeName => (t === 'dark' || t === 'contrast' ? t : 'default');

/**
 * Inside Teams: teams-js handshake, theme from the context, SSO token from the host.
 * `?hostOrigin=` names a non-Teams parent (a test host, the sandbox) that teams-js must accept;
 * the SDK only trusts its own origin and the Microsoft hosts otherwise.
 */
async function teamsSession(params: URLSearchParams): Promise<HostSession> {
  const hostOrigin = params.get('hostOrigin');
  await app.initialize(hostOrigin ? [hostOrigin] : undefined);
  const listeners = new Set<(t: ThemeName) => void>();
  app.registerOnThemeChangeHandler((t) => listeners.forEach((l) => l(asTheme(t))));
  const context = await app.getContext();
  app.notifySuccess();
  const frameContext = String(context.page.frameContext ?? 'content');
  return {
    inTeams: true,
    theme: asTheme(context.app.theme),
    subPageId: context.page.subPageId ?? '',
    userName: context.user?.userPrincipalName ?? '',
    frameContext,
    entityId: context.page.id ?? '',
    ...(frameContext === 'settings' && pages.config.isSupported() ? { tabConfig: teamsTabConfig } : {}),
    getToken: () => authentication.getAuthToken(),
    authenticate: teamsPopup,
    onThemeChange: (l) => void listeners.add(l),
  };
}

/**
 * Outside Teams (the sandbox, a plain browser): the sandbox's dev sign-in endpoint issues a token
 * from its emulated Entra. Contract in tabs/README.md: GET <devToken>?role=<role> → { token }.
 */
function sandboxSession(params: URLSearchParams): HostSession {
  const endpoint = params.get('devToken') ?? '/sandbox/dev-token';
  const role = params.get('role') ?? 'admin';
  let cached: { token: string; until: number } | undefined;
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
  return {
    inTeams: false,
    theme: asTheme(params.get('theme') ?? (dark ? 'dark' : 'default')),
    subPageId: params.get('subPageId') ?? '',
    userName: '',
    frameContext: 'content',
    entityId: '',
    getToken: async () => {
      if (cached && cached.until > Date.now()) return cached.token;
      const res = await fetch(`${endpoint}?role=${encodeURIComponent(role)}`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`Sandbox sign-in failed (HTTP ${res.status}).`);
      const body = (await res.json()) as { token?: unknown };
      if (typeof body.token !== 'string') throw new Error('Sandbox sign-in returned no token.');
      cached = { token: body.token, until: Date.now() + 5 * 60_000 };
      return body.token;
    },
    authenticate: browserPopup,
    onThemeChange: () => undefined,
  };
}

/** Teams when there is a host to talk to, the sandbox sign-in when there is none. */
export async function connectHost(search: string): Promise<HostSession> {
  const params = new URLSearchParams(search);
  const framed = window.parent !== window || window.opener !== null;
  if (!framed) return sandboxSession(params);
  try {
    return await teamsSession(params);
  } catch {
    // "No Parent window found" or a host that refused the handshake: the sandbox path still works.
    return sandboxSession(params);
  }
}
