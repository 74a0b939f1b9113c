import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { TenantStore } from '../../application/ports.js';

type OwnerRecords = Pick<TenantStore, 'getConnection' | 'putConnection'>;

/**
 * MSAL's own token cache of one subscription owner, kept sealed in the store (the tenant's
 * `owner:<oid>` connection, field `msalCache`). MSAL decides what it holds and rotates (refresh
 * tokens included); we never read tokens out of it. One cache per owner, so any instance behind
 * the balancer refreshes from what the last one wrote.
 */
export class StoredOwnerTokenCache implements ICachePlugin {
  constructor(
    private readonly records: OwnerRecords,
    private readonly tenantId: string,
    private readonly ownerId: string,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const stored = await this.records.getConnection(this.tenantId, `owner:${this.ownerId}`);
    if (stored?.['msalCache']) context.tokenCache.deserialize(stored['msalCache']);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (context.cacheHasChanged)
      await saveOwnerCache(this.records, this.tenantId, this.ownerId, context.tokenCache.serialize());
  }
}

/** Stores an owner's serialized MSAL cache; a refresh token kept the old way (before MSAL's cache) is dropped with it. */
export async function saveOwnerCache(
  records: OwnerRecords,
  tenantId: string,
  ownerId: string,
  msalCache: string,
  extra: Readonly<Record<string, string>> = {},
): Promise<void> {
  const { refreshToken: _legacy, ...kept } = (await records.getConnection(tenantId, `owner:${ownerId}`)) ?? {};
  await records.putConnection(tenantId, `owner:${ownerId}`, { ...kept, ...extra, msalCache });
}

/** An owner record that can still sign in silently: MSAL's cache, or a refresh token from before it. */
export const ownerRecordSignedIn = (record: Readonly<Record<string, string>> | undefined): boolean =>
  Boolean(record?.['msalCache'] || record?.['refreshToken']);
