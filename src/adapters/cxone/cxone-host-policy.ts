/**
 * NICE's documented CXone domains (reference §1.1): the global identity provider
 * (`cxone.niceincontact.com`, FedRAMP `cxone-gov.niceincontact.com`), the ACD API
 * (`api-{area}.niceincontact.com`), UserHub (`{area}.nice-incontact.com`), FedRAMP `nicecxone-gov.com`,
 * the CXone Mpower sites (`nicecxone.com`) and the legacy inContact hosts (`api.incontact.com`).
 */
export const NICE_CXONE_DOMAINS: readonly string[] = Object.freeze([
  'niceincontact.com',
  'nice-incontact.com',
  'nicecxone.com',
  'nicecxone-gov.com',
  'incontact.com',
]);

/**
 * Which hosts the service may send CXone credentials to (issue 15: a tenant admin could point the
 * connection at any host and have our secrets sent there). An entry `example.com` allows that
 * host and its subdomains on any port; `host:port` allows exactly that host and port (the sandbox
 * emulator). Only https URLs are ever allowed.
 */
export class CxoneHostPolicy {
  private readonly entries: readonly { readonly host: string; readonly port?: string }[];

  constructor(entries: readonly string[]) {
    this.entries = entries
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean)
      .map((e) => {
        const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e);
        return m ? { host: m[1]!, ...(m[2] ? { port: m[2] } : {}) } : { host: e };
      });
  }

  /** True when `url` is https on an allowed host. */
  allows(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== 'https:' || u.username || u.password) return false;
    const host = u.hostname.toLowerCase();
    const port = u.port || '443';
    return this.entries.some((e) =>
      e.port !== undefined ? host === e.host && port === e.port : host === e.host || host.endsWith(`.${e.host}`),
    );
  }

  describe(): string {
    return this.entries.map((e) => (e.port ? `${e.host}:${e.port}` : e.host)).join(', ');
  }
}

/** `https://host[:port]` of a URL, for messages that must not echo paths or queries. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
