import type { Clock, Logger } from '../../application/ports.js';
import { createHttpTransport } from '../shared/http-transport.js';
import { createMsalClient, GraphAppCredential } from './graph-app-credential.js';
import { GraphHttpClient } from './graph-http-client.js';
import { DEFAULT_GRAPH_TIMEOUT_MS, type GraphAdapterOptions } from './graph-options.js';
import { GraphPresenceGateway } from './graph-presence-gateway.js';
import { GraphPresenceReader } from './graph-presence-reader.js';
import { GraphPresenceWriter, type PresenceWriterOptions } from './graph-presence-writer.js';
import { GraphUserDirectory } from './graph-user-directory.js';
import { PresenceBudget } from './presence-budget.js';

/** Graph's conservative documented presence limit: requests per 30 s per app per tenant (reference §4). */
export const GRAPH_PRESENCE_LIMIT = 1_500;

/** Runtime dependencies and tuning of the Graph adapter for one tenant. */
export interface GraphAdapterDeps {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Presence requests per 30 s for this tenant (GRAPH_PRESENCE_BUDGET; default {@link GRAPH_PRESENCE_LIMIT}). */
  readonly presenceBudget?: number;
  readonly writer?: Partial<Omit<PresenceWriterOptions, 'clock' | 'sleep' | 'sessionId'>>;
}

export interface GraphAdapter {
  readonly presence: GraphPresenceGateway;
  readonly writer: GraphPresenceWriter;
  readonly users: GraphUserDirectory;
  /** App-only Graph calls (for the subscription manager's reads and for tests). */
  readonly appGraph: GraphHttpClient;
  readonly budget: PresenceBudget;
  readonly transport: ReturnType<typeof createHttpTransport>;
  close(): Promise<void>;
}

/** The tenant's Entra users alone (app-only), for requests answered outside the sync: no budget, no writer. */
export function createGraphUserDirectory(options: GraphAdapterOptions): {
  readonly users: GraphUserDirectory;
  close(): Promise<void>;
} {
  const o = Object.freeze({ ...options });
  const transport = createHttpTransport({
    timeoutMs: o.requestTimeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS,
    ...(o.caPem ? { extraCaPem: o.caPem } : {}),
  });
  const credential = new GraphAppCredential(createMsalClient(o, transport.fetch));
  const appGraph = new GraphHttpClient(o.graphBaseUrl, (force) => credential.token(force), transport.fetch);
  return { users: new GraphUserDirectory(appGraph, o.graphBaseUrl), close: () => transport.close() };
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wires transport → MSAL → graph client → budget → writer/reader/directory for one tenant. */
export function createGraphAdapter(options: GraphAdapterOptions, deps: GraphAdapterDeps): GraphAdapter {
  const o = Object.freeze({ ...options });
  const transport = createHttpTransport({
    timeoutMs: o.requestTimeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS,
    ...(o.caPem ? { extraCaPem: o.caPem } : {}),
  });
  const credential = new GraphAppCredential(createMsalClient(o, transport.fetch));
  const appGraph = new GraphHttpClient(o.graphBaseUrl, (force) => credential.token(force), transport.fetch);
  const sleep = deps.sleep ?? realSleep;
  const budget = new PresenceBudget(deps.presenceBudget ?? GRAPH_PRESENCE_LIMIT);
  const writer = new GraphPresenceWriter(appGraph, budget, {
    ...deps.writer,
    sessionId: o.clientId,
    clock: deps.clock,
    sleep,
    ...(deps.logger ? { logger: deps.logger.child({ component: 'graph-writer' }) } : {}),
  });
  const reader = new GraphPresenceReader(appGraph, budget, deps.clock, sleep);
  return {
    presence: new GraphPresenceGateway(writer, reader, budget),
    writer,
    users: new GraphUserDirectory(appGraph, o.graphBaseUrl),
    appGraph,
    budget,
    transport,
    close: () => transport.close(),
  };
}
