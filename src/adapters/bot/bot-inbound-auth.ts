import type { CloudAdapter, Request as SdkRequest, WebResponse } from '@microsoft/agents-hosting';
import type { ChannelAuthorityVerifier } from './bot-channel-authority.js';
import type { BotAuthOptions } from './bot-cloud-adapter.js';

/** Who sent an activity, or why it is refused (the reason is logged, never sent back). */
export type InboundCaller = { ok: true; identity?: SdkRequest['user'] } | { ok: false; reason: string };

/** Decides whether one inbound activity (already parsed) may be processed. */
export type InboundAuth = (
  headers: SdkRequest['headers'],
  activity: { readonly serviceUrl?: string; readonly channelId?: string },
) => Promise<InboundCaller>;

/**
 * Receives what the SDK's JWT middleware would write, so the refusal can be answered in our own
 * words: the middleware's body carries the verifier's error text (for an unreachable key set,
 * the internal fetch error), which a caller has no business reading.
 */
class CapturedResponse implements WebResponse {
  code = 200;
  body: unknown;
  headersSent = false;
  writableEnded = false;
  status(code: number): this {
    this.code = code;
    return this;
  }
  setHeader(): this {
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    this.writableEnded = true;
    return this;
  }
  reason(): string {
    const detail = (this.body as Record<string, unknown> | undefined)?.['jwt-auth-error'];
    return `${this.code}: ${typeof detail === 'string' ? detail : 'refused'}`;
  }
}

/**
 * Bot Framework authentication (Bot Connector authentication, "Verify the JWT token"). A token
 * whose issuer is the operator's channel authority (BOT_CHANNEL_ISSUER) is verified against that
 * authority's OpenID metadata and keys (bot-channel-authority.ts); every other token goes to the
 * SDK's authorizeJWT, which checks Bot Framework's own issuer against login.botframework.com's keys,
 * the audience (our app id), the lifetime and the issuer. Then the token's `serviceurl` claim must
 * name exactly the serviceUrl of the activity, so a token issued for one Connector cannot direct
 * replies to another host.
 */
export function inboundAuth(
  auth: BotAuthOptions,
  adapter: Pick<CloudAdapter, 'authorizeRequest'>,
  channel?: ChannelAuthorityVerifier,
): InboundAuth {
  if (auth.mode === 'disabled-for-playground') return async () => ({ ok: true });
  const sdk = async (headers: SdkRequest['headers']): Promise<InboundCaller> => {
    const request: SdkRequest = { headers, method: 'POST' };
    const response = new CapturedResponse();
    let authorized = false;
    await adapter.authorizeRequest(request, response, () => {
      authorized = true;
    });
    return authorized && request.user ? { ok: true, identity: request.user } : { ok: false, reason: response.reason() };
  };
  return async (headers, activity) => {
    const token = bearerToken(headers.authorization);
    let caller: InboundCaller;
    if (channel && token && channel.claims(token)) {
      const verdict = await channel.verify(token, activity);
      caller = verdict.ok ? { ok: true, identity: verdict.claims as SdkRequest['user'] } : verdict;
    } else caller = await sdk(headers);
    if (!caller.ok || !caller.identity) return caller.ok ? { ok: false, reason: 'no identity' } : caller;
    const claim: unknown = caller.identity['serviceurl'];
    if (typeof claim !== 'string' || claim !== activity.serviceUrl)
      return { ok: false, reason: 'the serviceurl claim is not the serviceUrl of the activity' };
    return caller;
  };
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}
