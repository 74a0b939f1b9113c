import { randomBytes } from 'node:crypto';
import { Agent, fetch, type Dispatcher } from 'undici';

export interface WebhookCallerOptions {
  /** A CA to trust for https:// webhook URLs (the sandbox's own CA); loopback http needs none. */
  readonly caPem?: string;
  /** §3.3: the validation answer must come within 10 s. */
  readonly handshakeTimeoutMs?: number;
}

export interface PostResult {
  readonly status: number;
  readonly ms: number;
}

/** Graph's outbound calls to a subscriber: the validation handshake and notification POSTs. */
export class WebhookCaller {
  readonly #dispatcher: Dispatcher;
  readonly #handshakeTimeoutMs: number;

  constructor(options: WebhookCallerOptions = {}) {
    this.#dispatcher = new Agent({ connect: options.caPem ? { ca: options.caPem } : {} });
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  }

  /**
   * §3.3: POST `?validationToken=` (text/plain); the answer must be 200, text/plain, and the
   * decoded token unmodified. Returns why it failed, or undefined.
   */
  async handshake(url: string): Promise<string | undefined> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomBytes(8).toString('hex')}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    try {
      const res = await fetch(target, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
        signal: AbortSignal.timeout(this.#handshakeTimeoutMs),
      });
      const text = await res.text();
      if (res.status !== 200) return `The endpoint answered ${res.status}.`;
      if (!(res.headers.get('content-type') ?? '').startsWith('text/plain')) return 'The answer was not text/plain.';
      return text === token ? undefined : 'The answer did not echo the validationToken.';
    } catch (e) {
      return `The endpoint did not answer in time (${(e as Error).name}).`;
    }
  }

  async post(url: string, body: unknown, timeoutMs: number): Promise<PostResult> {
    const start = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - start };
    } catch {
      return { status: 0, ms: performance.now() - start };
    }
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }
}
