import { z } from 'zod';
import type { EmuResponse } from './cxone-router.js';
import { json } from './cxone-router.js';

/**
 * One injected failure: the next `times` API requests whose path contains `pathContains` (and whose
 * method is `method`) fail (reference §9.8). `kind` says how:
 * - `answer` (default): an error status, or 200 with a malformed body;
 * - `reset`: the status line, headers and half the body go out, then the connection is destroyed
 *   (a stream cut mid-response, e.g. a load balancer recycling the connection);
 * - `stall`: nothing is sent for `stallMs` (the client's timeout fires first), then the real answer.
 * `afterApply`: the request is carried out first and only its answer is lost — the one case where a
 * client cannot know whether a write happened (at-least-once on the client's side).
 */
export const faultRuleSchema = z.object({
  /**
   * 200 = a malformed success body (an unexpected shape, e.g. from an unannounced API change);
   * 4xx = a refusal with a realistic body (README "State-write errors"), e.g. 403 for an API user
   * whose security profile lacks the permission.
   */
  status: z
    .union([
      z.literal(200),
      z.literal(400),
      z.literal(401),
      z.literal(403),
      z.literal(404),
      z.literal(409),
      z.literal(429),
      z.literal(500),
      z.literal(502),
      z.literal(503),
      z.literal(504),
    ])
    .default(503),
  /** The answer's body instead of the default one: any JSON value, or a string sent as text/plain (an unknown body). */
  body: z.unknown().optional(),
  times: z.number().int().positive(),
  retryAfterSec: z.number().int().nonnegative().optional(),
  pathContains: z.string().optional(),
  method: z.enum(['GET', 'POST', 'DELETE']).optional(),
  kind: z.enum(['answer', 'reset', 'stall']).default('answer'),
  stallMs: z.number().int().positive().max(120_000).default(30_000),
  afterApply: z.boolean().default(false),
});
export type FaultRule = z.input<typeof faultRuleSchema>;
type ParsedRule = z.output<typeof faultRuleSchema>;

/**
 * The agent-states feed misbehaving (§9.8 "events out of order or replayed"): the next `times`
 * first pages of `GET /agents/states` also carry the agent's record as it was `back` changes ago —
 * `back: 0` re-sends the current record (a replay / duplicate), `back: 1` the one before it (an
 * older `lastUpdateTime` after a newer one).
 */
export const feedReplaySchema = z.object({
  agentId: z.number().int(),
  back: z.number().int().nonnegative().max(8).default(0),
  times: z.number().int().positive().default(1),
  /** Wait for a poll that also carries the agent's current record, and ride on that same page (newer, then older). */
  samePage: z.boolean().default(false),
});
export type FeedReplay = z.output<typeof feedReplaySchema>;

/**
 * Version-dependent field names (reference §2.1, §5.2, §8): `current` = newest spec names;
 * `legacy` = mediaType/mediaName, isAcw, per-record lastPollTime, `resultSet`-wrapped team codes.
 */
export type FieldVariant = 'current' | 'legacy';

export const faultSettingsSchema = z.object({
  delayMs: z.number().int().nonnegative().max(60_000).optional(),
  emptyDeltaStatus: z.union([z.literal(200), z.literal(204), z.literal(304)]).optional(),
  variant: z.enum(['current', 'legacy']).optional(),
  rules: z.array(faultRuleSchema).optional(),
  replays: z.array(feedReplaySchema).optional(),
  /** The agent logs out between our decision and our state write: their next write finds them logged out. */
  logoutBeforeWrite: z.array(z.number().int()).optional(),
});
export type FaultSettings = z.input<typeof faultSettingsSchema>;

/** What the server does instead of (or after) answering normally. */
export type Disruption =
  | { readonly kind: 'answer'; readonly response: EmuResponse; readonly afterApply: boolean }
  | { readonly kind: 'reset'; readonly afterApply: boolean }
  | { readonly kind: 'stall'; readonly stallMs: number; readonly afterApply: boolean };

/** Failure injection state, changed through the control API or directly by tests. */
export class CxoneFaults {
  delayMs = 0;
  /** How an empty `updatedSince` answer is sent: 200 + [] (default), 204 or 304 (§2.1 "treat all three as no change"). */
  emptyDeltaStatus: 200 | 204 | 304 = 200;
  variant: FieldVariant = 'current';
  private rules: ParsedRule[] = [];
  private replays: FeedReplay[] = [];
  private logouts: number[] = [];

  configure(input: FaultSettings): void {
    const settings = faultSettingsSchema.parse(input);
    if (settings.delayMs !== undefined) this.delayMs = settings.delayMs;
    if (settings.emptyDeltaStatus !== undefined) this.emptyDeltaStatus = settings.emptyDeltaStatus;
    if (settings.variant !== undefined) this.variant = settings.variant;
    if (settings.rules) this.rules.push(...settings.rules.map((r) => ({ ...r })));
    if (settings.replays) this.replays.push(...settings.replays.map((r) => ({ ...r })));
    if (settings.logoutBeforeWrite) this.logouts.push(...settings.logoutBeforeWrite);
  }

  reset(): void {
    this.delayMs = 0;
    this.emptyDeltaStatus = 200;
    this.variant = 'current';
    this.rules = [];
    this.replays = [];
    this.logouts = [];
  }

  /** Consumes one matching rule and returns what to do instead of a plain answer, if anything. */
  take(path: string, method = 'GET'): Disruption | undefined {
    const lower = path.toLowerCase();
    const rule = this.rules.find(
      (r) =>
        r.times > 0 &&
        (r.method === undefined || r.method === method) &&
        (r.pathContains === undefined || lower.includes(r.pathContains.toLowerCase())),
    );
    if (!rule) return undefined;
    rule.times -= 1;
    this.rules = this.rules.filter((r) => r.times > 0);
    if (rule.kind === 'reset') return { kind: 'reset', afterApply: rule.afterApply };
    if (rule.kind === 'stall') return { kind: 'stall', stallMs: rule.stallMs, afterApply: rule.afterApply };
    return { kind: 'answer', response: failureAnswer(rule), afterApply: rule.afterApply };
  }

  /** Consumes the replays due on a poll whose page carries `onPage` agents (one per rule). */
  takeReplays(onPage: ReadonlySet<number>): FeedReplay[] {
    const due = this.replays.filter((r) => !r.samePage || onPage.has(r.agentId));
    for (const r of due) r.times -= 1;
    this.replays = this.replays.filter((r) => r.times > 0);
    return due.map((r) => ({ ...r, times: 1 }));
  }

  /** Replays not served yet (a test waits for 0). */
  pendingReplays(): number {
    return this.replays.reduce((n, r) => n + r.times, 0);
  }

  /** True once per queued `logoutBeforeWrite` of the agent. */
  takeLogoutBeforeWrite(agentId: number): boolean {
    const i = this.logouts.indexOf(agentId);
    if (i < 0) return false;
    this.logouts.splice(i, 1);
    return true;
  }
}

/**
 * Default bodies of injected answers, in the shapes reference §8 saw (admin `{error,
 * error_Description}`, auth `{error, error_description}`). The names are the emulator's own: NICE
 * documents no error names for these, so the product must decide on the status alone.
 */
const DEFAULT_BODIES: Readonly<Record<number, Record<string, string>>> = {
  400: { error: 'BadRequest', error_Description: 'The request is invalid.' },
  401: { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired.' },
  403: {
    error: 'Forbidden',
    error_Description: "The API user's security profile does not grant the permission this request needs.",
  },
  404: { error: 'NotFound', error_Description: 'The requested resource was not found.' },
  409: { error: 'Conflict', error_Description: 'The request conflicts with the current state.' },
  429: { error: 'TooManyRequests', error_Description: 'Injected failure.' },
};

function failureAnswer(rule: ParsedRule): EmuResponse {
  if (rule.status === 200 && rule.body === undefined)
    return json(200, { totalRecords: 'many', agentStates: 'not-a-list', teams: 7, agents: null });
  const headers: Record<string, string> =
    rule.retryAfterSec !== undefined ? { 'Retry-After': String(rule.retryAfterSec) } : {};
  if (typeof rule.body === 'string') return { status: rule.status, text: rule.body, headers };
  const body = rule.body ??
    DEFAULT_BODIES[rule.status] ?? { error: 'ServiceUnavailable', error_Description: 'Injected failure.' };
  return json(rule.status, body, headers);
}
