import type { RouteOutcome } from './api-route.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The last page of a browser round trip (a popup): plain HTML, no script, nothing secret. */
export function htmlPage(status: number, title: string, text: string): RouteOutcome {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p><p>You can close this window.</p></body></html>`;
  return {
    status,
    raw: html,
    contentType: 'text/html; charset=utf-8',
    headers: { 'content-security-policy': "default-src 'none'", 'referrer-policy': 'no-referrer' },
  };
}

/** A redirect of the browser (to Entra); the target is always built by us, never taken from the request. */
export function redirect(location: string): RouteOutcome {
  return {
    status: 302,
    raw: '',
    contentType: 'text/plain; charset=utf-8',
    headers: { location, 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' },
  };
}
