import type { TenantStore } from '../../../application/ports.js';
import { settingsSchema, type TenantSettings } from './api-schemas.js';

export const DEFAULT_SETTINGS: TenantSettings = Object.freeze({ reconciliationPeriodSec: 300, traceRetentionDays: 14 });

/** Tenant settings kept as the `settings` connection record (string values, like every connection). */
export async function readSettings(tenants: TenantStore, tenantId: string): Promise<TenantSettings> {
  const values = await tenants.getConnection(tenantId, 'settings');
  if (!values) return DEFAULT_SETTINGS;
  const parsed = settingsSchema.safeParse({
    reconciliationPeriodSec: Number(values['reconciliationPeriodSec']),
    traceRetentionDays: Number(values['traceRetentionDays']),
  });
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export async function writeSettings(tenants: TenantStore, tenantId: string, s: TenantSettings): Promise<void> {
  await tenants.putConnection(tenantId, 'settings', {
    reconciliationPeriodSec: String(s.reconciliationPeriodSec),
    traceRetentionDays: String(s.traceRetentionDays),
  });
}
