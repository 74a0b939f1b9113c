import type { WebhookVerdict } from '../../application/ports.js';
import type { GraphNotificationParser } from './graph-notification-parser.js';

/**
 * The one call the Graph webhook route makes (reference graph-presence.md §3.3–3.4): what the
 * request is — the validation handshake, notifications that passed every check, or a refusal
 * (malformed or forged) with its reason. How to answer is the HTTP adapter's choice.
 */
export async function handleGraphWebhook(
  parser: GraphNotificationParser,
  query: URLSearchParams,
  body: string,
): Promise<WebhookVerdict> {
  const parsed = await parser.parse(query, body);
  if (!parsed.ok) {
    const malformed = ['WEBHOOK.MALFORMED_JSON', 'WEBHOOK.BAD_SHAPE', 'WEBHOOK.TOO_MANY_ITEMS'].includes(
      parsed.error.code,
    );
    return { kind: 'rejected', reason: malformed ? 'malformed' : 'forged', rejected: [parsed.error] };
  }
  const v = parsed.value;
  if (v.kind === 'validation') return { kind: 'handshake', validationToken: v.validationToken };
  const [first, ...others] = v.rejected;
  if (v.notifications.length === 0 && v.lifecycle.length === 0 && first)
    return { kind: 'rejected', reason: 'forged', rejected: [first, ...others] };
  return { kind: 'accepted', notifications: v.notifications, lifecycle: v.lifecycle, rejected: v.rejected };
}
