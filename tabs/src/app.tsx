import {
  FluentProvider,
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Spinner,
  Tab,
  TabList,
  Text,
  makeStyles,
  teamsHighContrastTheme,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import { Suspense, lazy, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ApiClient } from './api-client.js';
import { ErrorBar } from './components/async-view.js';
import { HealthPage } from './pages/health-page.js';
import { CONFIGURE_PARAM, PAGES, PAGE_LABELS, SUPPORT_PAGES, pageFromParam, type PageId } from './page-catalog.js';
import type { HostSession, ThemeName } from './teams-host.js';
import { ApiContext, useApi, useApiClient } from './use-api.js';

const LogReaderPage = lazy(() => import('./pages/log-reader-page.js').then((m) => ({ default: m.LogReaderPage })));
const RulesPage = lazy(() => import('./pages/rules-page.js').then((m) => ({ default: m.RulesPage })));
const SettingsPage = lazy(() => import('./pages/settings-page.js').then((m) => ({ default: m.SettingsPage })));
const SetupWizard = lazy(() => import('./pages/setup-wizard.js').then((m) => ({ default: m.SetupWizard })));
const UsersPage = lazy(() => import('./pages/users-page.js').then((m) => ({ default: m.UsersPage })));
const ConfigurePage = lazy(() => import('./pages/configure-page.js').then((m) => ({ default: m.ConfigurePage })));
const THEMES = { default: webLightTheme, dark: webDarkTheme, contrast: teamsHighContrastTheme } as const;

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  main: { paddingTop: tokens.spacingVerticalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

type Start = { page: PageId; agent: string; explicit: boolean; configure: boolean };

/**
 * First page: the Log Reader for a bot deep link (`agent:<id>`), else `?page=` (a static tab's URL),
 * else the static tab Teams says was opened, else Health Check.
 */
function initialPage(session: HostSession): Start {
  const asked = new URLSearchParams(window.location.search).get('page');
  const configure = asked === CONFIGURE_PARAM || session.frameContext === 'settings';
  if (session.subPageId.startsWith('agent:'))
    return { page: 'log', agent: session.subPageId.slice(6), explicit: true, configure };
  const page = pageFromParam(asked) ?? pageFromParam(session.entityId);
  return { page: page ?? 'health', agent: '', explicit: page !== undefined, configure };
}

/** Steps before which nothing can sync: an admin opening the tab with one of them open lands on the Setup page. */
const BLOCKING_STEPS = ['consent', 'tenant', 'role', 'cxone', 'owner'];

/**
 * Every tab load signs in to onboarding: the first admin sign-in from a consented tenant creates the
 * tenant. An admin (or a user without a role) whose tenant still misses a blocking step lands on Setup.
 */
function useFirstRun(explicit: boolean, access: string | undefined, goSetup: () => void): void {
  const api = useApiClient();
  useEffect(() => {
    if (access === undefined) return;
    api.request<{ next?: { id: string } }>('POST', '/onboarding/sign-in').then(
      (o) => {
        if (!explicit && access !== 'support' && BLOCKING_STEPS.includes(o.next?.id ?? '')) goSetup();
      },
      () => undefined,
    );
  }, [api, explicit, access, goSetup]);
}

export function App(props: { session: HostSession; api: ApiClient }): ReactNode {
  const [theme, setTheme] = useState<ThemeName>(props.session.theme);
  useEffect(() => props.session.onThemeChange(setTheme), [props.session]);
  // The page behind the shell (overscroll, a full-page capture, the scrollbars) takes the theme too,
  // so dark and high contrast have no white edge.
  useEffect(() => {
    const html = document.documentElement;
    html.style.backgroundColor = THEMES[theme].colorNeutralBackground1;
    html.style.colorScheme = theme === 'default' ? 'light' : 'dark';
  }, [theme]);
  return (
    <ApiContext.Provider value={props.api}>
      <FluentProvider theme={THEMES[theme]} data-theme={theme}>
        <Shell session={props.session} />
      </FluentProvider>
    </ApiContext.Provider>
  );
}

/** True below 640 px (Teams side panel, mobile): the page tabs would not fit, a menu does. */
function useNarrow(): boolean {
  const query = '(max-width: 640px)';
  const [narrow, setNarrow] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const m = window.matchMedia?.(query);
    if (!m) return;
    const on = (e: MediaQueryListEvent) => setNarrow(e.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

function Shell(props: { session: HostSession }): ReactNode {
  const styles = useStyles();
  const [start] = useState(() => initialPage(props.session));
  const [page, setPage] = useState<PageId>(start.page);
  const goSetup = useCallback(() => setPage('setup'), []);
  const [me] = useApi<{ name: string; access: string }>('/me');
  useFirstRun(
    start.explicit || start.configure,
    me.status === 'ready' ? me.value.access : me.status === 'error' ? 'none' : undefined,
    goSetup,
  );
  const isSupport = me.status === 'ready' && me.value.access !== 'admin';
  const visible = isSupport ? PAGES.filter((p) => SUPPORT_PAGES.includes(p)) : PAGES;
  // Inside Teams every page is a tab of its own (manifest staticTabs): a second tab bar would repeat Teams'.
  const inTeams = props.session.inTeams;
  const narrow = useNarrow();
  const refused = inTeams && !visible.includes(page);
  const shown: PageId = visible.includes(page) ? page : 'health';
  return (
    <div className={styles.root}>
      <header>
        <Text as="h1" size={500} weight="semibold">
          Presence Sync
        </Text>{' '}
        <Text size={200} data-testid="whoami">
          {me.status === 'ready' ? `${me.value.name} (${me.value.access})${inTeams ? '' : ' · sandbox'}` : ''}
        </Text>
      </header>
      {!inTeams && !start.configure && (
        <nav aria-label="Pages">
          {narrow ? (
            <Menu>
              <MenuTrigger disableButtonEnhancement>
                <MenuButton aria-label={`Page: ${PAGE_LABELS[shown]}`}>{PAGE_LABELS[shown]}</MenuButton>
              </MenuTrigger>
              <MenuPopover>
                <MenuList>
                  {visible.map((p) => (
                    <MenuItem key={p} onClick={() => setPage(p)}>
                      {PAGE_LABELS[p]}
                    </MenuItem>
                  ))}
                </MenuList>
              </MenuPopover>
            </Menu>
          ) : (
            <TabList selectedValue={shown} onTabSelect={(_e, d) => setPage(d.value as PageId)}>
              {visible.map((p) => (
                <Tab key={p} value={p}>
                  {PAGE_LABELS[p]}
                </Tab>
              ))}
            </TabList>
          )}
        </nav>
      )}
      <main className={styles.main} aria-label={start.configure ? 'Configure' : PAGE_LABELS[shown]}>
        {me.status === 'error' && <ErrorBar title="You are not signed in" message={me.error.message} />}
        <Suspense fallback={<Spinner size="small" label="Loading the page…" />}>
          {start.configure ? (
            <ConfigurePage config={props.session.tabConfig} />
          ) : refused ? (
            <ErrorBar
              title={`${PAGE_LABELS[page]} is for Presence Sync admins`}
              message="Your role gives you the Health Check and the Log Reader; ask a tenant admin for the PresenceSync.Admin role."
            />
          ) : (
            <>
              {shown === 'setup' && (
                <SetupWizard onDone={() => setPage('health')} authenticate={props.session.authenticate} />
              )}
              {shown === 'rules' && <RulesPage />}
              {shown === 'users' && <UsersPage />}
              {shown === 'health' && <HealthPage />}
              {shown === 'log' && <LogReaderPage initialAgent={start.agent} />}
              {shown === 'settings' && <SettingsPage authenticate={props.session.authenticate} />}
            </>
          )}
        </Suspense>
      </main>
    </div>
  );
}
