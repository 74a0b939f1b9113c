import { SandboxClock } from '../sandbox-clock.js';
import type { EmulatorClock } from './emulator-clock.js';
import type { EntraKeys } from './entra-keys.js';
import type { EntraTokenEndpoint } from './entra-token-endpoint.js';
import type { GraphWorld } from './graph-world.js';
import type { NotificationDelivery } from './notification-delivery.js';
import type { NotificationLatency } from './notification-latency.js';
import type { PresencePair } from './presence-engine.js';
import type { RouteFault } from './route-faults.js';
import type { EmulatedSubscription } from './subscription-model.js';
import type { SubscriptionStoreEmu } from './subscription-store.js';

/** What a user can do in the Teams client (reference graph-presence.md §1.2, §8.9). */
export type TeamsActivity = 'signedIn' | 'signedOut' | 'call' | 'meeting' | 'presenting';
const TEAMS_CLIENT: Record<Exclude<TeamsActivity, 'signedOut'>, PresencePair> = {
  signedIn: { availability: 'Available', activity: 'Available' },
  call: { availability: 'Busy', activity: 'InACall' },
  meeting: { availability: 'Busy', activity: 'InAMeeting' },
  presenting: { availability: 'DoNotDisturb', activity: 'Presenting' },
};
/** reauthorizationRequired is sent this long before a subscription expires (§3.5, §8.8). */
const REAUTH_LEAD_MS = 10 * 60_000;

/**
 * The control surface for tests and the sandbox: move the clock, act as a user in Teams,
 * drop subscriptions silently, inject faults (§8.9).
 */
export class GraphControl {
  constructor(
    private readonly world: GraphWorld,
    private readonly subs: SubscriptionStoreEmu,
    private readonly delivery: NotificationDelivery,
    private readonly entra: EntraTokenEndpoint,
    readonly clock: EmulatorClock,
    private readonly keys: EntraKeys,
  ) {}

  /** The token Teams' getAuthToken would give the tab for this user (README "Tab SSO"); undefined when refused. */
  async tabSsoToken(tenantId: string, user: string, clientId?: string): Promise<string | undefined> {
    const r = await this.entra.tabSsoToken(tenantId, user, clientId);
    return r.ok ? r.token : undefined;
  }

  /** A new signing key for the tenant; the old one stays published for `retainMs` (README "Signing keys"). */
  rotateSigningKey(tenantId: string, retainMs?: number): Promise<{ kid: string; previousKid: string }> {
    return this.keys.rotate(tenantId, retainMs);
  }

  retireSigningKey(tenantId: string, kid: string): boolean {
    return this.keys.retire(tenantId, kid);
  }

  /**
   * Move the emulator's SandboxClock on (standing still or following real time) and let
   * time-driven behaviour happen (expiry, decay, retries, lifecycle). A plain clock cannot move.
   */
  advance(ms: number): void {
    if (!(this.clock instanceof SandboxClock)) throw new Error('advance() needs a SandboxClock (ManualClock in tests)');
    this.clock.advance(ms);
    this.tick();
  }

  tick(): void {
    const now = this.clock.now();
    for (const sub of this.subs.all(now)) {
      if (sub.expiresAt - now <= REAUTH_LEAD_MS && sub.reauthPendingFor !== sub.expiresAt)
        this.requireReauthorization(sub.id);
    }
    this.world.reevaluateAll();
    this.delivery.tick();
  }

  /** The Teams client's own session: signed in (Available), in a Teams call or meeting, presenting, or signed out. */
  teams(userId: string, activity: TeamsActivity): void {
    const p = this.world.presence(userId);
    if (activity === 'signedOut') p.clientSessions.delete('teams');
    else p.clientSessions.set('teams', TEAMS_CLIENT[activity]);
    this.world.touch(userId);
  }

  /** The user picks a status in Teams (the preferred layer; it does not expire on its own, §2.4). */
  manualStatus(userId: string, pair: PresencePair | undefined): void {
    this.world.presence(userId).setPreferred(pair, this.clock.now());
    this.world.touch(userId);
  }

  presence(userId: string): PresencePair & { sequenceNumber: string } {
    const p = this.world.presence(userId);
    p.evaluate(this.clock.now());
    return { ...p.current, sequenceNumber: p.sequenceNumber };
  }

  subscriptions(): EmulatedSubscription[] {
    return this.subs.all(this.clock.now());
  }

  /** Graph stops a subscription without telling anyone (the silent-drop case). */
  dropSubscription(id: string): boolean {
    return this.subs.remove(id);
  }

  /** Send reauthorizationRequired now and hold deliveries until renewed/reauthorized. */
  requireReauthorization(id: string): void {
    const sub = this.subs.get(id, this.clock.now());
    if (!sub) return;
    sub.reauthPendingFor = sub.expiresAt;
    this.delivery.lifecycle(sub, 'reauthorizationRequired');
  }

  /** The next `count` presence calls (batch items included) answer `status` (429, 503...). */
  failNext(count: number, status: number, retryAfterSec?: number): void {
    this.world.faults.push({ remaining: count, status, ...(retryAfterSec !== undefined ? { retryAfterSec } : {}) });
  }

  /** The next `count` $batch envelopes answer `status` as a whole. */
  failNextBatch(count: number, status: number, retryAfterSec?: number): void {
    this.world.batchFaults.push({
      remaining: count,
      status,
      ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
    });
  }

  /** Errors or timeouts on matching routes for a count or until an emulator time (see RouteFault). */
  failRoute(fault: RouteFault): void {
    this.world.routeFaults.add(fault);
  }

  clearRouteFaults(): void {
    this.world.routeFaults.clear();
  }

  /** Requests answered by the route faults added with this `path`. */
  routeFaultHits(path: string): number {
    return this.world.routeFaults.hits(path);
  }

  setPresenceLimit(limit: number): void {
    this.world.throttle.limit = limit;
  }

  /** Every Graph answer is delayed by `ms` of real time (0 turns it off). */
  slowResponses(ms: number): void {
    this.world.slowMs = ms;
  }

  revokeUser(userId: string): void {
    this.entra.revokeUser(userId);
  }

  /** How late notifications leave from now on (README "Delivery latency"). */
  setNotificationLatency(latency: NotificationLatency): void {
    this.delivery.latency = latency;
  }

  get deliveryModes(): NotificationDelivery['modes'] {
    return this.delivery.modes;
  }

  /** How Graph currently judges a webhook endpoint (URL without query), §3.4. */
  endpointState(url: string): 'healthy' | 'slow' | 'drop' {
    return this.delivery.health.state(url.split('?')[0]!, this.clock.now());
  }

  /** The last webhook body delivered (clientState, validationTokens, encrypted items): what a capture would hold. */
  get lastDeliveredBody(): NotificationDelivery['lastBody'] {
    return this.delivery.lastBody;
  }

  get deliveries(): NotificationDelivery['log'] {
    return this.delivery.log;
  }

  /** Notification items per delivery status since start (the log above keeps only the newest). */
  get deliveryTotals(): ReadonlyMap<number, number> {
    return this.delivery.totals;
  }

  /** Presence read requests answered so far (GET presence and getPresencesByUserId). */
  get presenceReads(): number {
    return this.world.presenceReads;
  }

  get writeLog(): GraphWorld['writeLog'] {
    return this.world.writeLog;
  }

  /** What the presence throttle did so far: its limit and the requests it answered 429 (batch items one each). */
  get throttle(): { readonly limit: number; readonly throttled: number } {
    return { limit: this.world.throttle.limit, throttled: this.world.throttle.throttled };
  }

  /** The most presence requests the app was allowed inside any 30 s window (the budget check). */
  maxPresenceRequestsInWindow(appId: string, tenantId: string): number {
    return this.world.throttle.maxInAnyWindow(`${appId}/${tenantId}`);
  }

  /** Wait until every notification that is due has been delivered (or failed). */
  settle(): Promise<void> {
    return this.delivery.settle();
  }

  /** Notifications owed and not yet delivered (latency, retries, lapsed authorisation, in flight). */
  get notificationsOwed(): number {
    return this.delivery.owed();
  }
}
