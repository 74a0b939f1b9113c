import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorPost {
  readonly conversationId: string;
  readonly replyToId?: string;
  readonly authorization?: string;
  readonly activity: {
    readonly type: string;
    readonly text?: string;
    readonly attachments?: readonly { readonly contentType: string; readonly content: Record<string, unknown> }[];
  };
}

/**
 * The Bot Connector's v3 activities API, enough to receive replies and proactive messages:
 * POST /v3/conversations/:id/activities[/:replyToId]. Every post is recorded.
 */
export class FakeBotConnector {
  readonly posts: ConnectorPost[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeBotConnector> {
    const server = createServer();
    const connector = new FakeBotConnector(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        connector.receive(
          req.method ?? '',
          req.url ?? '',
          req.headers.authorization,
          Buffer.concat(chunks).toString('utf8'),
          res,
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return connector;
  }

  get serviceUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Resolves once at least `count` posts have arrived in total (bounded by the test timeout). */
  waitForPosts(count: number): Promise<void> {
    if (this.posts.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  clear(): void {
    this.posts.length = 0;
  }

  private receive(
    method: string,
    url: string,
    authorization: string | undefined,
    body: string,
    res: import('node:http').ServerResponse,
  ): void {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(url);
    if (method !== 'POST' || !match?.[1]) {
      res.writeHead(404);
      res.end();
      return;
    }
    const replyToId = match[2] ? decodeURIComponent(match[2]) : undefined;
    this.posts.push({
      conversationId: decodeURIComponent(match[1]),
      activity: JSON.parse(body) as ConnectorPost['activity'],
      ...(replyToId ? { replyToId } : {}),
      ...(authorization ? { authorization } : {}),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `activity-${this.posts.length}` }));
    this.waiters = this.waiters.filter((w) => (this.posts.length >= w.count ? (w.resolve(), false) : true));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
