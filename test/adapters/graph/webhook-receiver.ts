import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  LifecycleEvent,
  PresenceNotification,
  SealedPresenceFailure,
  SealedPresenceOpener,
  WebhookRejection,
} from '../../../src/application/ports.js';
import type { GraphNotificationParser } from '../../../src/adapters/graph/graph-notification-parser.js';
import { handleGraphWebhook } from '../../../src/adapters/graph/graph-webhook-handler.js';
import { lifecycleOf, notificationsOf, rejectedOf, statusOf } from './verdicts.js';

/**
 * A stand-in for the engine's webhook route and inbox pump: it calls handleGraphWebhook, opens the
 * sealed resource data of what got through (as the pump does after the 202; here before answering,
 * so a test that saw the status sees the notification) and records it.
 */
export interface WebhookReceiver {
  readonly notifyUrl: string;
  readonly lifecycleUrl: string;
  /** Accepted notifications, rich ones opened (presence and sequence number, no longer sealed). */
  readonly notifications: PresenceNotification[];
  /** Accepted rich notifications whose resource data failed authentication or decryption. */
  readonly unopened: SealedPresenceFailure[];
  readonly lifecycle: LifecycleEvent[];
  readonly rejected: WebhookRejection[];
  readonly statuses: number[];
  /** Raw bodies of notification POSTs, for replay and tampering. */
  readonly raw: string[];
  /** Answer the next n non-handshake POSTs with this status (simulating an unhealthy endpoint). */
  failNext(n: number, status: number): void;
  onLifecycle?: (e: LifecycleEvent) => Promise<void>;
  /** Resolves when every lifecycle handler started so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Sealed notifications opened, in order; those that fail are reported instead. */
async function opened(
  opener: SealedPresenceOpener | undefined,
  notifications: readonly PresenceNotification[],
  unopened: SealedPresenceFailure[],
): Promise<PresenceNotification[]> {
  const out: PresenceNotification[] = [];
  for (const n of notifications) {
    if (!n.sealed || !opener) {
      out.push(n);
      continue;
    }
    const [result] = await opener.open([{ userId: n.userId, sealed: n.sealed }]);
    if (!result!.ok) unopened.push(result!.error);
    else {
      const { sealed: _sealed, ...clear } = n;
      out.push({ ...clear, ...result!.value });
    }
  }
  return out;
}

export async function startWebhookReceiver(
  parser: () => GraphNotificationParser,
  opener?: SealedPresenceOpener,
): Promise<WebhookReceiver> {
  const failures: number[] = [];
  const r = { notifications: [], unopened: [], lifecycle: [], rejected: [], statuses: [], raw: [] } as Pick<
    WebhookReceiver,
    'notifications' | 'unopened' | 'lifecycle' | 'rejected' | 'statuses' | 'raw'
  >;
  const self: Partial<WebhookReceiver> = {};
  const handlers: Promise<void>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.searchParams.has('validationToken')) r.raw.push(Buffer.concat(chunks).toString('utf8'));
      if (!url.searchParams.has('validationToken') && failures.length > 0) {
        const status = failures.shift()!;
        r.statuses.push(status);
        // Not chained: restify, loaded in the same jest worker by other suites, patches writeHead to return undefined.
        res.writeHead(status);
        return void res.end();
      }
      void handleGraphWebhook(parser(), url.searchParams, Buffer.concat(chunks).toString('utf8')).then(
        async (reply) => {
          r.notifications.push(...(await opened(opener, notificationsOf(reply), r.unopened)));
          r.lifecycle.push(...lifecycleOf(reply));
          r.rejected.push(...rejectedOf(reply));
          r.statuses.push(statusOf(reply));
          res.writeHead(statusOf(reply), { 'content-type': 'text/plain; charset=utf-8' });
          res.end(reply.kind === 'handshake' ? reply.validationToken : '');
          for (const e of lifecycleOf(reply)) if (self.onLifecycle) handlers.push(self.onLifecycle(e));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(self, r, {
    notifyUrl: `${base}/graph/notify?tenant=contoso`,
    lifecycleUrl: `${base}/graph/lifecycle?tenant=contoso`,
    idle: async () => {
      while (handlers.length > 0) await handlers.shift();
    },
    failNext: (n: number, status: number) => failures.push(...Array.from({ length: n }, () => status)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as WebhookReceiver;
}
