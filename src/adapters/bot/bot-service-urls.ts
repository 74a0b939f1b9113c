import type { OutboundUrlPolicy } from '@microsoft/agents-hosting';

/**
 * The Bot Connector hosts of Microsoft's channels (Teams: `https://smba.trafficmanager.net/<region>/`,
 * Bot Framework channels under botframework.com, and Teams in the US government clouds): the
 * Microsoft 365 Agents SDK's own list of first-party channel hosts (`DEFAULT_MICROSOFT_HOSTS` of its
 * outboundHostValidator, minus the Graph, SharePoint and blob hosts, which are no Connector).
 */
export const BOT_FRAMEWORK_SERVICE_HOSTS: readonly string[] = Object.freeze([
  'smba.trafficmanager.net',
  'botframework.com',
  'teams.microsoft.com',
  'teams.microsoft.us',
]);

/** Where the bot may send replies and alerts. */
export interface TrustedServiceUrls {
  /** Hosts (and their subdomains) trusted over HTTPS: production's Bot Framework channel services. */
  readonly httpsHosts: readonly string[];
  /** Exact origins (scheme, host and port) trusted as they are: the sandbox's Bot Connector emulator and Playground. */
  readonly origins: readonly string[];
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * Decides whether a serviceUrl is one the bot may call. An activity naming any other is refused
 * before anything is stored or sent: its serviceUrl is where the bot would post its reply (and,
 * once stored, every later alert), so trusting it would make the bot call any host it is told to.
 */
export class ServiceUrlPolicy implements OutboundUrlPolicy {
  readonly enabled = true;
  private readonly origins: ReadonlySet<string>;

  constructor(private readonly trusted: TrustedServiceUrls) {
    this.origins = new Set(trusted.origins.map(originOf).filter((o): o is string => o !== undefined));
  }

  isAllowed(input: string | URL | null | undefined): boolean {
    if (!input) return false;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return false;
    }
    if (this.origins.has(url.origin)) return true;
    if (url.protocol !== 'https:' || url.username || url.password) return false;
    const host = url.hostname.toLowerCase().replace(/\.$/, '');
    return this.trusted.httpsHosts.some((h) => host === h || host.endsWith(`.${h}`));
  }
}
