import type { DroppedSubscription, UserLinkStore } from '../ports.js';
import type { SyncEngineDeps } from './engine-options.js';
import type { TenantRuntime } from './tenant-runtime.js';

/**
 * Between reconciliations (5 min), asks Graph every `subscriptionCheckIntervalMs` whether it still
 * has our presence subscriptions: Graph may remove one without any notice (presence gets no
 * subscriptionRemoved lifecycle event), and every Teams change of its users is lost until it is
 * back. A drop is told at once (Health Check and the bot's alert: it is a fact, not a flap), each
 * covered agent's Log Reader gets the hop, and `recover` (a reconciliation: it recreates the
 * subscription and reads back the presence changed meanwhile) runs right away.
 */
export class SubscriptionWatch {
  constructor(
    private readonly deps: Pick<SyncEngineDeps, 'clock' | 'trace' | 'logger'> & {
      readonly userLinks: Pick<UserLinkStore, 'byTeamsUsers'>;
    },
    private readonly recover: (tenant: TenantRuntime) => Promise<void>,
  ) {}

  async check(tenant: TenantRuntime, sinceChecked: number | undefined): Promise<void> {
    const dropped = (await tenant.ports.subscriptions.findDropped?.()) ?? [];
    if (dropped.length === 0) return;
    const users = dropped.reduce((n, d) => n + d.userIds.length, 0);
    const window = sinceChecked === undefined ? '' : ` (it was still there at ${hhmmss(sinceChecked)})`;
    tenant.health.report(
      'subscriptions',
      'down',
      `Graph removed ${dropped.map((d) => d.subscriptionId).join(', ')} without notice${window}: Teams changes of ${users} users were not notified. Recreating it now and reading their presence back.`,
      { confirmed: true },
    );
    this.deps.logger.warn(
      { tenantId: tenant.tenantId, subscriptions: dropped.map((d) => d.subscriptionId) },
      'presence subscription removed by Graph without notice',
    );
    for (const d of dropped) await this.traceDrop(tenant, d);
    await this.recover(tenant);
  }

  private async traceDrop(tenant: TenantRuntime, d: DroppedSubscription): Promise<void> {
    const links = await this.deps.userLinks.byTeamsUsers(tenant.tenantId, d.userIds).catch(() => []);
    for (const link of links)
      this.deps.trace.record({
        tenantId: tenant.tenantId,
        agentId: link.agentId,
        teamsUserId: link.teamsUserId,
        traceId: `subscription:${d.subscriptionId}`,
        hop: 'subscription',
        summary: `Subscription ${d.subscriptionId} is gone: Graph removed it without notice (Teams changes were not notified); recreating it`,
        data: { subscriptionId: d.subscriptionId, ownerId: d.ownerId, dropped: true },
      });
  }
}

const hhmmss = (ms: number): string => new Date(ms).toISOString().slice(11, 19) + ' UTC';
