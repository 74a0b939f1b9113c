import type { PresenceNotification } from './presence.js';

/** One refused notification (or the whole request), with a stable code. */
export interface WebhookRejection {
  readonly code: string;
  readonly message: string;
  /** Index of the offending item, when one item (not the whole payload) was rejected. */
  readonly index?: number;
}

/** A subscription lifecycle event (reauthorizationRequired, subscriptionRemoved, missed). */
export interface LifecycleEvent {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly event: string;
}

/**
 * What the Graph adapter decided about one webhook request. It says what the request was, never
 * how to answer it: the HTTP adapter alone picks the status and writes the handshake echo.
 * - `handshake`: the subscription validation request; its token must be echoed.
 * - `accepted`: at least one notification or lifecycle event passed every check; `rejected`
 *   lists the items that did not.
 * - `rejected`: nothing passed — `malformed` (not a notification collection), `forged` (failed
 *   an authenticity check) or `unavailable` (could not be checked now; the sender should retry).
 */
export type WebhookVerdict =
  | { readonly kind: 'handshake'; readonly validationToken: string }
  | {
      readonly kind: 'accepted';
      readonly notifications: readonly PresenceNotification[];
      readonly lifecycle: readonly LifecycleEvent[];
      readonly rejected: readonly WebhookRejection[];
    }
  | {
      readonly kind: 'rejected';
      readonly reason: 'malformed' | 'forged' | 'unavailable';
      readonly rejected: readonly [WebhookRejection, ...WebhookRejection[]];
    };

/** Validates a raw Graph webhook request (clientState, validation tokens, decryption). */
export type WebhookValidator = (query: URLSearchParams, body: string) => Promise<WebhookVerdict>;
