/**
 * A tour of every tab API route of a running deployment, as the tab would call it. The routes
 * come from the deployment's own OpenAPI document (built from the very table the router
 * registers), so a new route without an example here fails the tour instead of going unvisited.
 * The tour leaves the tenant as it found it (a rule created and deleted, a link removed and put
 * back, settings and the CXone connection saved unchanged), so sync keeps running around it.
 */

export interface TourContext {
  /** Where the tab API answers (one instance, or a balancer in front of several). */
  readonly base: string;
  /** An admin's SSO token. */
  readonly token: string;
  /** The CXone issuer the tenant's connection is saved with (an https URL). */
  readonly cxoneIssuerUrl: string;
  /** Sends a request (default: fetch). */
  readonly fetch?: typeof fetch;
}

export interface TourAnswer {
  readonly operationId: string;
  readonly request: string;
  readonly status: number;
  readonly expected: number;
  /** problem+json `code`, when the answer is a problem. */
  readonly code?: string;
  readonly text: string;
}

interface Operation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
}

interface Example {
  readonly method?: string;
  readonly path?: string;
  readonly query?: string;
  readonly body?: unknown;
  readonly csv?: string;
  readonly expected: number;
  /** Read the first bytes of a stream, then hang up. */
  readonly stream?: boolean;
}

/** What the tour learns as it goes (ids the later steps need). */
interface Scratch {
  tenantId?: string;
  consentState?: string;
  linked?: { agentId: string; teamsUserId: string }[];
  ruleId?: string;
  ruleVersion?: number;
  agentId?: string;
  teamsUserId?: string;
  settings?: unknown;
  cxone?: Record<string, unknown>;
  exportCsv?: string;
  signInState?: string;
}

type Step = (s: Scratch, ctx: TourContext) => Example;

const draft = (agentId: string) => ({
  name: 'Tour: Available stays Available',
  direction: 'publisher',
  enabled: false,
  scope: { kind: 'user', agentIds: [agentId] },
  mappings: [{ acd: { kind: 'Available' }, teams: { availability: 'Available', activity: 'Available' } }],
});

/**
 * One example per operation, in the order the tour sends them. Order matters: reads first, the
 * rule's life from create to delete, a link removed before it is put back.
 */
export const TOUR: readonly (readonly [string, Step])[] = [
  ['getMe', () => ({ expected: 200 })],
  ['getOnboarding', () => ({ expected: 200 })],
  ['onboardingSignIn', () => ({ expected: 200 })],
  ['startAdminConsent', (s) => ({ query: `tenant=${s.tenantId}`, expected: 302 })],
  // Entra's redirect after the admin granted consent: the product verifies it with Entra itself.
  [
    'finishAdminConsent',
    (s) => ({
      query: `state=${encodeURIComponent(s.consentState ?? '')}&admin_consent=True&tenant=${s.tenantId}`,
      expected: 200,
    }),
  ],
  ['getHealth', () => ({ expected: 200 })],
  ['listTeamsPresences', () => ({ expected: 200 })],
  ['listAcdTeams', () => ({ expected: 200 })],
  ['listAcdAgents', () => ({ expected: 200 })],
  ['listUserMappings', () => ({ expected: 200 })],
  ['listRules', () => ({ expected: 200 })],
  ['createRule', (s) => ({ body: draft(s.agentId!), expected: 201 })],
  ['getRule', (s) => ({ path: `/rules/${s.ruleId}`, expected: 200 })],
  [
    'updateRule',
    (s) => ({ path: `/rules/${s.ruleId}`, body: { ...draft(s.agentId!), version: s.ruleVersion }, expected: 200 }),
  ],
  [
    'setRuleEnabled',
    (s) => ({ path: `/rules/${s.ruleId}/enabled`, body: { enabled: false, version: s.ruleVersion }, expected: 200 }),
  ],
  [
    'dryRunRule',
    (s) => ({
      body: { rule: draft(s.agentId!), ruleId: s.ruleId, target: { kind: 'agent', agentId: s.agentId } },
      expected: 200,
    }),
  ],
  ['deleteRule', (s) => ({ path: `/rules/${s.ruleId}`, expected: 204 })],
  ['previewAutoMatch', () => ({ expected: 200 })],
  ['applyAutoMatch', () => ({ body: { pairs: [] }, expected: 200 })],
  ['unlinkUser', (s) => ({ path: `/users/${s.agentId}/link`, expected: 204 })],
  ['linkUser', (s) => ({ path: `/users/${s.agentId}/link`, body: { teamsUserId: s.teamsUserId }, expected: 200 })],
  ['exportUserMappings', () => ({ expected: 200 })],
  ['importUserMappings', (s) => ({ query: 'dryRun=true', csv: s.exportCsv, expected: 200 })],
  ['getSettings', () => ({ expected: 200 })],
  ['putSettings', (s) => ({ body: s.settings, expected: 200 })],
  ['getConnections', () => ({ expected: 200 })],
  [
    'putCxoneConnection',
    (s, ctx) => ({
      body: { issuerUrl: ctx.cxoneIssuerUrl, clientId: s.cxone?.['clientId'], accessKeyId: s.cxone?.['accessKeyId'] },
      expected: 200,
    }),
  ],
  ['testCxoneConnection', () => ({ expected: 200 })],
  // The stored credentials tried as a candidate (every field left out: the stored ones).
  ['tryCxoneConnection', () => ({ body: {}, expected: 200 })],
  ['searchDirectoryUsers', () => ({ query: 'search=a', expected: 200 })],
  ['connectOwnerMe', () => ({ expected: 200 })],
  ['startOwnerSignIn', () => ({ expected: 200 })],
  ['openOwnerSignIn', (s) => ({ query: `state=${encodeURIComponent(s.signInState ?? '')}`, expected: 302 })],
  // The owner declined at Entra: the callback still opens its own sealed state and hands the answer to the tab.
  [
    'finishOwnerSignIn',
    (s) => ({
      query: `state=${encodeURIComponent(s.signInState ?? '')}&error=access_denied&error_description=declined`,
      expected: 302,
    }),
  ],
  // A code Entra never issued: the product redeems it with Entra, which refuses (502), rather than "not configured".
  ['completeOwnerSignIn', (s) => ({ body: { code: 'never-issued', state: s.signInState }, expected: 502 })],
  ['queryTrace', (s) => ({ query: `agent=${s.agentId}`, expected: 200 })],
  ['getTraceAgent', (s) => ({ query: `agent=${s.agentId}`, expected: 200 })],
  ['liveTrace', (s) => ({ query: `agent=${s.agentId}`, expected: 200, stream: true })],
  ['listAudit', () => ({ query: 'limit=5', expected: 200 })],
  // Last: sync stays on (it is on already), the tenant as the tour found it.
  ['switchSync', () => ({ body: { enabled: true }, expected: 200 })],
];

const problemCode = (text: string): string | undefined => {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
};

/** Learns ids from an answer for later steps. */
function learn(s: Scratch, operationId: string, text: string, location: string | null): void {
  if (operationId === 'startAdminConsent' && location)
    s.consentState = new URL(location).searchParams.get('state') ?? undefined;
  const body = (() => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  const items = (body['items'] ?? []) as Record<string, unknown>[];
  if (operationId === 'listUserMappings')
    s.linked = (items as { agent: { agentId: string }; link?: { teamsUserId: string } }[]).flatMap((r) =>
      r.link ? [{ agentId: r.agent.agentId, teamsUserId: r.link.teamsUserId }] : [],
    );
  if (operationId === 'listRules') {
    // A linked agent no user-scoped rule claims yet: the tour's own user rule may take it.
    const claimed = new Set(
      (items as { scope: { kind: string; agentIds?: string[] } }[]).flatMap((r) => r.scope.agentIds ?? []),
    );
    const pick = s.linked?.find((l) => !claimed.has(l.agentId));
    s.agentId = pick?.agentId;
    s.teamsUserId = pick?.teamsUserId;
  }
  if (operationId === 'createRule' || operationId === 'updateRule' || operationId === 'setRuleEnabled') {
    s.ruleId = body['id'] as string;
    s.ruleVersion = body['version'] as number;
  }
  if (operationId === 'getMe') s.tenantId = body['tenantId'] as string;
  if (operationId === 'getSettings') s.settings = body;
  if (operationId === 'getConnections') s.cxone = body['cxone'] as Record<string, unknown>;
  if (operationId === 'exportUserMappings') s.exportCsv = text;
  if (operationId === 'startOwnerSignIn')
    s.signInState = new URL(String(body['authorizeUrl'])).searchParams.get('state') ?? undefined;
}

/** The tab API's operations as the deployment's OpenAPI document lists them (the document itself aside). */
export async function listOperations(ctx: TourContext): Promise<Operation[]> {
  const res = await (ctx.fetch ?? fetch)(`${ctx.base}/api/v1/openapi.json`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId: string }>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .map(([method, op]) => ({ operationId: op.operationId, method, path }))
      .filter((o) => o.operationId !== 'getOpenApi'),
  );
}

async function send(
  ctx: TourContext,
  op: Operation,
  ex: Example,
): Promise<{ status: number; text: string; location: string | null }> {
  const path = `/api/v1${ex.path ?? op.path.replace(/^\/api\/v1/, '')}`;
  const url = `${ctx.base}${path}${ex.query ? `?${ex.query}` : ''}`;
  const headers: Record<string, string> = { authorization: `Bearer ${ctx.token}` };
  let body: string | undefined;
  if (ex.csv !== undefined) [headers['content-type'], body] = ['text/csv', ex.csv];
  else if (ex.body !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(ex.body)];
  const abort = new AbortController();
  const res = await (ctx.fetch ?? fetch)(url, {
    method: (ex.method ?? op.method).toUpperCase(),
    headers,
    signal: abort.signal,
    // A redirect (admin consent) is the answer itself: where it points is what the tour checks.
    redirect: 'manual',
    ...(body !== undefined ? { body } : {}),
  });
  const location = res.headers.get('location');
  if (!ex.stream || res.status !== 200) return { status: res.status, text: await res.text(), location };
  // The live tail answers with its headers and a first comment at once; what follows is open-ended.
  const first = await res.body!.getReader().read();
  abort.abort();
  return { status: res.status, text: new TextDecoder().decode(first.value), location };
}

/**
 * Sends every operation once. Throws when the deployment has an operation the tour has no
 * example for (add one to TOUR), or the tour names one the deployment lacks.
 */
export async function tourEveryRoute(ctx: TourContext): Promise<TourAnswer[]> {
  const ops = await listOperations(ctx);
  const byId = new Map(ops.map((o) => [o.operationId, o]));
  const missing = ops.filter((o) => !TOUR.some(([id]) => id === o.operationId)).map((o) => o.operationId);
  const stale = TOUR.filter(([id]) => !byId.has(id)).map(([id]) => id);
  if (missing.length || stale.length)
    throw new Error(`tour out of date: no example for [${missing.join(', ')}]; no such route [${stale.join(', ')}]`);
  const scratch: Scratch = {};
  const answers: TourAnswer[] = [];
  for (const [operationId, step] of TOUR) {
    const op = byId.get(operationId)!;
    const ex = step(scratch, ctx);
    const { status, text, location } = await send(ctx, op, ex);
    learn(scratch, operationId, text, location);
    const code = problemCode(text);
    answers.push({
      operationId,
      request: `${(ex.method ?? op.method).toUpperCase()} ${ex.path ?? op.path}`,
      status,
      expected: ex.expected,
      ...(code ? { code } : {}),
      text: text.slice(0, 300),
    });
  }
  return answers;
}

/** An answer that says a piece of the deployment is missing rather than what the request asked. */
export const saysNotConfigured = (a: TourAnswer): boolean =>
  [409, 501, 503].includes(a.status) &&
  (/NOT_(CONFIGURED|CONNECTED|RUNNING|WIRED)/.test(a.code ?? '') || /not configured|not running/i.test(a.text));

/** The answers that are not what a correctly configured deployment gives, one line each (empty: all good). */
export const wrongAnswers = (answers: readonly TourAnswer[]): string[] =>
  answers
    .filter((a) => a.status !== a.expected || saysNotConfigured(a))
    .map((a) => `${a.operationId} ${a.request} → ${a.status} (expected ${a.expected}) ${a.code ?? ''} ${a.text}`);
