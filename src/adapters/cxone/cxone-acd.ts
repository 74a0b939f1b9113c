import type { Clock, ExternalFailure, Logger } from '../../application/ports.js';
import { createHttpTransport } from '../shared/http-transport.js';
import { CxoneAgentStateFeed, type CxoneAgentStateFeedOptions } from './cxone-agent-state-feed.js';
import { CxoneAgentStateGateway } from './cxone-agent-state-gateway.js';
import { CxoneApiClient } from './cxone-api-client.js';
import { CxoneAuth, type CxoneAuthOptions } from './cxone-auth.js';
import { CxoneContactLookup } from './cxone-contact-lookup.js';
import { CxoneDirectory, type CxoneDirectoryOptions } from './cxone-directory.js';
import { CxoneRequester, type CxoneShapeListener } from './cxone-http.js';

/** Everything needed to talk to one tenant's CXone business unit. */
export interface CxoneAcdOptions extends CxoneAuthOptions {
  /** Our tenant id, stamped on every event. */
  readonly tenantId: string;
  /** Extra CA to trust (the sandbox CA); none for the real CXone. */
  readonly extraCaPem?: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly feed?: Omit<CxoneAgentStateFeedOptions, 'tenantId'>;
  readonly directory?: CxoneDirectoryOptions;
  /** Told when CXone answers a shape we cannot read (health). */
  readonly onBadShape?: CxoneShapeListener;
  /** Told when a Real-Time record shows an agent in another team than before (every cached directory is stale). */
  readonly onAgentMoved?: (agentId: string, teamId: string) => void;
}

export interface CxoneAcd {
  readonly feed: CxoneAgentStateFeed;
  readonly gateway: CxoneAgentStateGateway;
  readonly directory: CxoneDirectory;
  readonly auth: CxoneAuth;
  close(): Promise<void>;
}

/** A failure as an admin reads it in the Health Check and the bot alert: what failed, the status and code, why. */
export function describeCxoneFailure(what: string, f: ExternalFailure): string {
  return `${what} (${f.status > 0 ? `HTTP ${f.status} ` : ''}${f.code}): ${f.message}`;
}

/** Builds the CXone adapter of one tenant over one keep-alive connection pool. */
export function createCxoneAcd(
  options: CxoneAcdOptions,
  deps: { readonly clock: Clock; readonly logger: Logger },
): CxoneAcd {
  const opts = Object.freeze({ ...options });
  const logger = deps.logger.child({ component: 'cxone', tenantId: opts.tenantId });
  const transport = createHttpTransport({
    timeoutMs: opts.timeoutMs ?? 10_000,
    ...(opts.extraCaPem ? { extraCaPem: opts.extraCaPem } : {}),
  });
  const requester = new CxoneRequester(transport.fetch, deps.clock, logger);
  const auth = new CxoneAuth(opts, requester, deps.clock, logger);
  const api = new CxoneApiClient(auth, requester, opts.onBadShape);
  const directory = new CxoneDirectory(opts.directory ?? {}, api, deps.clock);
  const onAgentTeam = (agentId: string, teamId: string | undefined): void => {
    opts.feed?.onAgentTeam?.(agentId, teamId);
    if (directory.noteAgentTeam(agentId, teamId) && teamId !== undefined) opts.onAgentMoved?.(agentId, teamId);
  };
  const feed = new CxoneAgentStateFeed(
    { ...opts.feed, tenantId: opts.tenantId, onAgentTeam },
    api,
    new CxoneContactLookup(api, deps.clock),
    deps.clock,
    logger,
  );
  return {
    feed,
    auth,
    directory,
    gateway: new CxoneAgentStateGateway(api, logger),
    close: async () => {
      await feed.stop();
      await transport.close();
    },
  };
}
