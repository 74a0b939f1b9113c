/** Settings of the Graph adapter for one tenant. Base URLs come from config so the same code talks to the emulator or to Microsoft. */
export interface GraphAdapterOptions {
  /** Entra tenant id (GUID). */
  readonly tenantId: string;
  /** The app (client) id; also our presence sessionId (reference graph-presence.md §2.2). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** `https://login.microsoftonline.com` or the emulator's authority URL. */
  readonly authorityHost: string;
  /** `https://graph.microsoft.com` or the emulator's URL (without `/v1.0`). */
  readonly graphBaseUrl: string;
  /** Extra CA to trust (the sandbox CA). */
  readonly caPem?: string;
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_GRAPH_TIMEOUT_MS = 10_000;
export const GRAPH_SCOPE_DEFAULT = 'https://graph.microsoft.com/.default';
export const GRAPH_SCOPE_PRESENCE_READ_ALL = 'https://graph.microsoft.com/Presence.Read.All';
