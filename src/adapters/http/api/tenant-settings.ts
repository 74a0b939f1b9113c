import type { TenantStore } from '../../../application/ports.js';
import { settingsSchema, type TenantSettings } from './api-schemas.js';

export const DEFAULT_SETTINGS: TenantSettings = Object.freeze({ reconciliationPeriodSec: 300, traceRetentionDays: 14 });

/** The settings a tenant saved (the `settings` connection record, string values like every connection); undefined: none. */
export async function readStoredSettings(tenants: TenantStore, tenantId: string): Promise<TenantSettings | undefined> {
  const values = await tenants.getConnection(tenantId, 'settings');
  if (!values) return undefined;
  const parsed = settingsSchema.safeParse({
    reconciliationPeriodSec: Number(values['reconciliationPeriodSec']),
    traceRetentionDays: Number(values['traceRetentionDays']),
  });
  return parsed.success ? parsed.data : undefined;
}

/** The settings in effect: the saved ones, else the deployment's (`defaults`). */
export async function readSettings(
  tenants: TenantStore,
  tenantId: string,
  defaults: TenantSettings = DEFAULT_SETTINGS,
): Promise<TenantSettings> {
  return (await readStoredSettings(tenants, tenantId)) ?? defaults;
}

export async function writeSettings(tenants: TenantStore, tenantId: string, s: TenantSettings): Promise<void> {
  await tenants.putConnection(tenantId, 'settings', {
    reconciliationPeriodSec: String(s.reconciliationPeriodSec),
    traceRetentionDays: String(s.traceRetentionDays),
  });
}
