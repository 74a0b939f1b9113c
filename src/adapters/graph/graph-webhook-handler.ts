import type { PresenceNotification } from '../../application/ports.js';
import type { GraphNotificationParser, LifecycleEvent, WebhookRejection } from './graph-notification-parser.js';

/** What the HTTP route answers and what it hands on. */
export interface WebhookReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly notifications: readonly PresenceNotification[];
  readonly lifecycle: readonly LifecycleEvent[];
  readonly rejected: readonly WebhookRejection[];
}

/**
 * The one call the Graph webhook route makes (reference graph-presence.md §3.3–3.4): the
 * validation handshake is echoed as text/plain 200; a valid collection is 202 (queue the
 * notifications durably before replying); a malformed body is 400 and a forged one 403, each
 * with its reason — they never reach the engine.
 */
export async function handleGraphWebhook(
  parser: GraphNotificationParser,
  query: URLSearchParams,
  body: string,
): Promise<WebhookReply> {
  const parsed = await parser.parse(query, body);
  const none = { notifications: [], lifecycle: [], rejected: [] } as const;
  if (!parsed.ok) {
    const malformed = parsed.error.code === 'WEBHOOK.MALFORMED_JSON' || parsed.error.code === 'WEBHOOK.BAD_SHAPE';
    return {
      ...none,
      status: malformed ? 400 : 403,
      contentType: 'application/json',
      body: JSON.stringify({ code: parsed.error.code, message: parsed.error.message }),
      rejected: [parsed.error],
    };
  }
  const v = parsed.value;
  if (v.kind === 'validation')
    return { ...none, status: 200, contentType: 'text/plain; charset=utf-8', body: v.validationToken };
  const allForged = v.notifications.length === 0 && v.lifecycle.length === 0;
  return {
    status: allForged ? 403 : 202,
    contentType: 'application/json',
    body: allForged ? JSON.stringify({ code: v.rejected[0]?.code, message: v.rejected[0]?.message }) : '',
    notifications: v.notifications,
    lifecycle: v.lifecycle,
    rejected: v.rejected,
  };
}
