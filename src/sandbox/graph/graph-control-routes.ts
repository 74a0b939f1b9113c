import { z } from 'zod';
import type { EmulatorRequest, EmulatorResponse } from './emulator-http.js';
import { parseJson } from './emulator-http.js';
import type { GraphControl } from './graph-control.js';
import { parseNotificationLatency } from './notification-latency.js';

const Advance = z.object({ ms: z.number().int().positive() });
const Teams = z.object({ activity: z.enum(['signedIn', 'signedOut', 'call', 'meeting', 'presenting']) });
const Manual = z.object({ availability: z.string(), activity: z.string() }).nullable();
const Fault = z.object({
  count: z.number().int().positive(),
  status: z.number().int().min(400).max(599),
  retryAfterSec: z.number().positive().optional(),
});
const Slow = z.object({ ms: z.number().int().min(0) });
const Delivery = z
  .object({
    dropNext: z.number().int().min(0).optional(),
    duplicateNext: z.number().int().min(0).optional(),
    nullValidationTokens: z.boolean().optional(),
    reorderNext: z.number().int().min(0).optional(),
    delayMs: z.number().int().min(0).optional(),
    /** SANDBOX_GRAPH_NOTIFICATION_LATENCY syntax: `realistic`, `off`, ms, `median:<ms>`. */
    latency: z
      .string()
      .refine((v) => parseNotificationLatency(v) !== undefined, 'latency must be realistic, off, ms or median:<ms>')
      .optional(),
  })
  .strict();
const RouteFaultBody = z
  .object({
    method: z.enum(['GET', 'POST', 'PATCH', 'DELETE']).optional(),
    path: z
      .string()
      .min(1)
      .max(500)
      .refine((p) => {
        try {
          return new RegExp(p) !== undefined;
        } catch {
          return false;
        }
      }, 'path must be a regular expression'),
    status: z.union([z.number().int().min(400).max(599), z.literal('timeout')]),
    retryAfterSec: z.number().positive().optional(),
    count: z.number().int().positive().optional(),
    /** The window on the emulator clock, from now (e.g. an hour of failing renewals). */
    forMs: z.number().int().positive().optional(),
    hangMs: z.number().int().positive().max(600_000).optional(),
  })
  .strict();

const done: EmulatorResponse = { status: 204 };
const invalid = (issues: string): EmulatorResponse => ({
  status: 400,
  body: { error: 'invalid_control_request', detail: issues },
});

/** `/_control/...`: the emulator's test/sandbox surface over HTTP (zod-validated bodies). */
export function handleControl(req: EmulatorRequest, control: GraphControl): EmulatorResponse {
  const body = parseJson(req.rawBody);
  const path = req.path.replace(/^\/_control/, '');
  const user = /^\/users\/([^/]+)\/(teams|manual|presence)$/.exec(path);
  try {
    if (path === '/advance') return (control.advance(Advance.parse(body).ms), done);
    if (path === '/faults') {
      const f = Fault.parse(body);
      return (control.failNext(f.count, f.status, f.retryAfterSec), done);
    }
    if (path === '/route-faults' && req.method === 'DELETE') return (control.clearRouteFaults(), done);
    if (path === '/route-faults') {
      const { forMs, ...f } = RouteFaultBody.parse(body);
      return (
        control.failRoute({
          ...stripUndefined(f),
          ...(forMs !== undefined ? { untilMs: control.clock.now() + forMs } : {}),
        }),
        done
      );
    }
    if (path === '/throttle' && req.method === 'GET') return { status: 200, body: control.throttle };
    if (path === '/slow') return (control.slowResponses(Slow.parse(body).ms), done);
    if (path === '/delivery') {
      const { latency, ...modes } = Delivery.parse(body);
      if (latency !== undefined) control.setNotificationLatency(parseNotificationLatency(latency)!);
      return (Object.assign(control.deliveryModes, modes), done);
    }
    if (path === '/subscriptions' && req.method === 'GET')
      return {
        status: 200,
        body: {
          value: control
            .subscriptions()
            .map((s) => ({ id: s.id, resource: s.resource, expiresAt: new Date(s.expiresAt).toISOString() })),
        },
      };
    const drop = /^\/subscriptions\/([^/]+)\/drop$/.exec(path);
    if (drop) return control.dropSubscription(drop[1]!) ? done : { status: 404 };
    if (user?.[2] === 'teams') return (control.teams(user[1]!, Teams.parse(body).activity), done);
    if (user?.[2] === 'manual') return (control.manualStatus(user[1]!, Manual.parse(body ?? null) ?? undefined), done);
    if (user?.[2] === 'presence') return { status: 200, body: control.presence(user[1]!) };
  } catch (e) {
    return e instanceof z.ZodError ? invalid(e.message) : { status: 500, body: { error: String(e) } };
  }
  return { status: 404, body: { error: 'unknown_control_route' } };
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
