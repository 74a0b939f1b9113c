/**
 * A tenant: one CXone business unit linked to one Microsoft 365 (Entra) tenant, with exactly one
 * partner platform active. The partner side is a port, so another platform can be added later;
 * today the only one is Microsoft Teams.
 */
export const PARTNER_PLATFORMS = ['msteams'] as const;
export type PartnerPlatform = (typeof PARTNER_PLATFORMS)[number];

export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** CXone business unit id (icBUId). */
  readonly acdBusinessUnitId: string;
  /** Entra tenant id (GUID). */
  readonly entraTenantId: string;
  readonly partnerPlatform: PartnerPlatform;
  /** False pauses all sync for the tenant (config stays). */
  readonly syncEnabled: boolean;
}
