import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ApiProblem } from './api-problem.js';
import type { Caller } from './sso-token-verifier.js';

/**
 * Who may call a route: `admin` only, `read` = admin and support staff (Health Check, Log
 * Reader), `signed-in` = any verified user of the tenant, role or not (only onboarding: it tells
 * a user without a role what is missing), or `public` = no token (only the redirects Entra's
 * browser round trips reach; their handlers must not use `caller`, whose tenant is empty).
 */
export type RouteAccess = 'admin' | 'read' | 'signed-in' | 'public';

export interface RouteContext<B, Q> {
  readonly caller: Caller;
  readonly params: Readonly<Record<string, string>>;
  readonly body: B;
  readonly query: Q;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** What a handler returns: a JSON body, a problem, a raw body (CSV) or "I answered myself" (SSE). */
export type RouteOutcome =
  | { readonly status: number; readonly json: unknown }
  | { readonly problem: ApiProblem }
  | {
      readonly status: number;
      readonly raw: string;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly streamed: true };

export interface RouteResponseDoc {
  readonly status: number;
  readonly description: string;
  readonly contentType?: string;
  readonly schema?: z.ZodType;
}

export interface ApiRoute<B = unknown, Q = unknown> {
  readonly method: 'get' | 'post' | 'put' | 'del';
  /** Below /api/v1, restify syntax (`/rules/:ruleId`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly access: RouteAccess;
  readonly body?: z.ZodType<B>;
  /** `csv`: the body is text/csv, handed over as a string. */
  readonly bodyKind?: 'json' | 'csv';
  readonly query?: z.ZodType<Q>;
  readonly responses: readonly RouteResponseDoc[];
  handle(ctx: RouteContext<B, Q>): Promise<RouteOutcome>;
}

/** Keeps each route's own body/query types while collecting them in one table. */
export const route = <B, Q>(r: ApiRoute<B, Q>): ApiRoute => r as unknown as ApiRoute;

export const json = (status: number, body: unknown): RouteOutcome => ({ status, json: body });
export const fail = (p: ApiProblem): RouteOutcome => ({ problem: p });
