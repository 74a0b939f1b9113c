import type {
  LifecycleEvent,
  PresenceNotification,
  WebhookRejection,
  WebhookVerdict,
} from '../../../src/application/ports.js';

/** What got through a verdict (nothing unless it was accepted). */
export const notificationsOf = (v: WebhookVerdict): readonly PresenceNotification[] =>
  v.kind === 'accepted' ? v.notifications : [];
export const lifecycleOf = (v: WebhookVerdict): readonly LifecycleEvent[] => (v.kind === 'accepted' ? v.lifecycle : []);
export const rejectedOf = (v: WebhookVerdict): readonly WebhookRejection[] =>
  v.kind === 'handshake' ? [] : v.rejected;

/** The status the HTTP route answers a verdict with (adapters/http/restify-graph-webhook.ts). */
export const statusOf = (v: WebhookVerdict): number =>
  v.kind === 'handshake'
    ? 200
    : v.kind === 'accepted'
      ? 202
      : { malformed: 400, forged: 403, unavailable: 503 }[v.reason];
