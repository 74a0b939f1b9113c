import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger, TenantStore } from '../application/ports.js';

/**
 * Production start-up says what is still missing before anything can sync: a tab that was never
 * built (every tab page would answer 404) and, while the tenants table is empty, how the first
 * tenant comes to exist.
 */
export async function logProductionReadiness(
  tenants: Pick<TenantStore, 'list'>,
  logger: Logger,
  o: { readonly publicBaseUrl: string; readonly tabDist?: string },
): Promise<void> {
  const dist = o.tabDist ?? resolve('tabs/dist');
  if (!existsSync(resolve(dist, 'index.html')))
    logger.error({ tabDist: dist }, 'the tab is not built (npm run build:tab): the Teams tab cannot be served');
  const count = (await tenants.list()).length;
  if (count > 0) return logger.info({ tenants: count }, 'tenants onboarded');
  logger.warn(
    { tenants: 0, tab: `${o.publicBaseUrl.replace(/\/$/, '')}/tab` },
    'no tenant onboarded yet: a tenant admin installs the Teams app, opens the Presence Sync tab and follows its Setup page (admin consent, then their first sign-in creates the tenant)',
  );
}
