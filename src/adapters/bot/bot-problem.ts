import type { ServerResponse } from 'node:http';

/** An RFC 9457 problem the bot endpoint answers with (same `type` scheme and `code` as the tab API). */
export interface BotProblem {
  readonly status: 400 | 401 | 403 | 413 | 500;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
}

export const botProblem = (status: BotProblem['status'], code: string, title: string, detail: string): BotProblem => ({
  status,
  code,
  title,
  detail,
});

export function sendBotProblem(res: ServerResponse, p: BotProblem, instance: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(p.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(p.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(
    JSON.stringify({
      type: `urn:presence-sync:problem:${p.code}`,
      title: p.title,
      status: p.status,
      detail: p.detail,
      instance,
      code: p.code,
    }),
  );
}
