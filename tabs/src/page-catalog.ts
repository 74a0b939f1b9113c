/**
 * The tab's pages and the `?page=` values that open them. Pure (no DOM, no React) so that
 * test/app-package can hold the app manifest's tab URLs against it.
 */
export const PAGES = ['setup', 'rules', 'users', 'health', 'log', 'settings'] as const;
export type PageId = (typeof PAGES)[number];

export const PAGE_LABELS: Readonly<Record<PageId, string>> = {
  setup: 'Setup',
  rules: 'Rules',
  users: 'Users',
  health: 'Health Check',
  log: 'Log Reader',
  settings: 'Settings',
};

/** Support engineers read health and traces; everything else is for admins (the API enforces it too). */
export const SUPPORT_PAGES: readonly PageId[] = ['health', 'log'];

/** Pages a channel tab may show (the configuration page offers these). */
export const CHANNEL_PAGES: readonly PageId[] = ['health', 'log'];

/**
 * `?page=` spellings: the page id itself, plus the static tab entity ids of appPackage/manifest.json
 * (`logreader` is the Log Reader's entity id; Teams keeps entity ids stable across app versions).
 */
const ALIASES: Readonly<Record<string, PageId>> = { logreader: 'log' };

/** The `?page=` value of the channel tab's configuration page (not a page of the console). */
export const CONFIGURE_PARAM = 'configure';

/** The page a `?page=` value opens, or undefined when the tab does not know it. */
export function pageFromParam(param: string | null | undefined): PageId | undefined {
  if (!param) return undefined;
  if ((PAGES as readonly string[]).includes(param)) return param as PageId;
  return ALIASES[param];
}

/** The `?page=` value that opens a page (the manifest's entity id where there is one). */
export const pageParam = (page: PageId): string => Object.entries(ALIASES).find(([, p]) => p === page)?.[0] ?? page;
