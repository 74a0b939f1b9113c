import { z } from 'zod';
import type { TenantConsent, TenantConsentStore, TenantStore } from '../../application/ports.js';

const Stored = z.object({
  verifiedAt: z.coerce.number().int(),
  roles: z.string(),
  via: z.enum(['admin-consent', 'entra']),
});

/**
 * Consent records live beside the tenant's connections (kind `consent`): a consent comes before
 * its tenant, and that table needs no tenant row. Not secret, sealed like every connection anyway.
 */
export class ConnectionConsentStore implements TenantConsentStore {
  constructor(private readonly tenants: Pick<TenantStore, 'getConnection' | 'putConnection'>) {}

  async get(tenantId: string): Promise<TenantConsent | undefined> {
    const parsed = Stored.safeParse(await this.tenants.getConnection(tenantId, 'consent'));
    if (!parsed.success) return undefined;
    const roles = parsed.data.roles.split(' ').filter(Boolean);
    return { tenantId, verifiedAt: parsed.data.verifiedAt, roles, via: parsed.data.via };
  }

  async put(c: TenantConsent): Promise<void> {
    await this.tenants.putConnection(c.tenantId, 'consent', {
      verifiedAt: String(c.verifiedAt),
      roles: c.roles.join(' '),
      via: c.via,
    });
  }
}
