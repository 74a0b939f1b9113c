import { z } from 'zod';
import type { EmuResponse } from './cxone-router.js';
import { json } from './cxone-router.js';

/** One injected failure: the next `times` API requests whose path contains `pathContains` fail (reference §9.8). */
export const faultRuleSchema = z.object({
  /** 200 = a malformed success body (an unexpected shape, e.g. from an unannounced API change). */
  status: z.union([z.literal(200), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  times: z.number().int().positive(),
  retryAfterSec: z.number().int().nonnegative().optional(),
  pathContains: z.string().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

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
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

/** Failure injection state, changed through the control API or directly by tests. */
export class CxoneFaults {
  delayMs = 0;
  /** How an empty `updatedSince` answer is sent: 200 + [] (default), 204 or 304 (§2.1 "treat all three as no change"). */
  emptyDeltaStatus: 200 | 204 | 304 = 200;
  variant: FieldVariant = 'current';
  private rules: FaultRule[] = [];

  configure(settings: FaultSettings): void {
    if (settings.delayMs !== undefined) this.delayMs = settings.delayMs;
    if (settings.emptyDeltaStatus !== undefined) this.emptyDeltaStatus = settings.emptyDeltaStatus;
    if (settings.variant !== undefined) this.variant = settings.variant;
    if (settings.rules) this.rules.push(...settings.rules.map((r) => ({ ...r })));
  }

  reset(): void {
    this.delayMs = 0;
    this.emptyDeltaStatus = 200;
    this.variant = 'current';
    this.rules = [];
  }

  /** Consumes one matching rule and returns its failure answer, if any. */
  take(path: string): EmuResponse | undefined {
    const rule = this.rules.find((r) => r.times > 0 && (r.pathContains === undefined || path.toLowerCase().includes(r.pathContains.toLowerCase())));
    if (!rule) return undefined;
    rule.times -= 1;
    this.rules = this.rules.filter((r) => r.times > 0);
    if (rule.status === 200) return json(200, { totalRecords: 'many', agentStates: 'not-a-list', teams: 7, agents: null });
    const headers: Record<string, string> = rule.retryAfterSec !== undefined ? { 'Retry-After': String(rule.retryAfterSec) } : {};
    const error = rule.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
    return json(rule.status, { error, error_Description: 'Injected failure.' }, headers);
  }
}
