import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteRegistrar } from './restify-server.js';

/** A page of the app package's `developer` block (privacyUrl, termsOfUseUrl). */
interface LegalPage {
  readonly path: string;
  readonly title: string;
  readonly sections: readonly (readonly [heading: string, text: string])[];
}

/** The product's privacy statement: what it processes, where it keeps it, for how long, and who sees it. */
export const PRIVACY_PAGE: LegalPage = {
  path: '/privacy',
  title: 'Presence Sync privacy statement',
  sections: [
    [
      'What Presence Sync processes',
      'For each agent your tenant admin links: the NICE CXone agent id, name, e-mail and team, the agent state CXone reports, the Microsoft Teams user id and user principal name, and the Teams presence Microsoft Graph reports. It does not read messages, calls, recordings or contact content.',
    ],
    [
      'Why',
      'Only to keep an agent’s CXone state and Teams presence in step as your presence rules say, and to show admins and support engineers the Health Check and the Log Reader of that sync.',
    ],
    [
      'Where and how long',
      'In the database of the Presence Sync deployment your organisation runs. Log Reader hops are deleted after the trace retention set on the Settings page (at most 90 days). CXone credentials and subscription-owner sign-ins are stored encrypted and are never written to logs.',
    ],
    [
      'Who sees it',
      'Users of your tenant with the PresenceSync.Admin or PresenceSync.Support app role, through the Teams tab and bot. No data is shared with anyone else or used for any other purpose; one tenant never sees another’s data.',
    ],
    [
      'Removing it',
      'Unlinking an agent stops the sync for them; removing the app and its consent from your tenant stops all processing. Ask the operator of your deployment to delete your tenant’s data.',
    ],
  ],
};

/** The product's terms of use. */
export const TERMS_PAGE: LegalPage = {
  path: '/terms',
  title: 'Presence Sync terms of use',
  sections: [
    [
      'Use',
      'Presence Sync keeps NICE CXone agent states and Microsoft Teams presence in step for the tenant that installed it. Tenant admins decide which agents are linked and which rules apply.',
    ],
    [
      'Your responsibilities',
      'Grant it only the Microsoft Graph permissions and CXone credentials it asks for, assign its app roles only to people who should manage or support it, and tell your agents that their presence is synchronised.',
    ],
    [
      'No warranty',
      'Presence Sync is provided as is. Presence can lag or differ while Microsoft Graph or CXone is unavailable or throttles requests; the Health Check shows when that happens.',
    ],
  ],
};

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Plain HTML that follows the browser's colour scheme (Teams opens these links in a browser). */
export function renderLegalPage(page: LegalPage): string {
  const body = page.sections.map(([h, t]) => `<h2>${escape(h)}</h2>\n<p>${escape(t)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escape(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1rem;line-height:1.5}</style>
</head>
<body>
<main>
<h1>${escape(page.title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** Serves the privacy statement and the terms of use the app manifest links to. */
export function legalPageRoutes(pages: readonly LegalPage[] = [PRIVACY_PAGE, TERMS_PAGE]): RouteRegistrar {
  return (server) => {
    for (const page of pages) {
      const html = Buffer.from(renderLegalPage(page));
      server.get(page.path, async (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': html.length,
          'cache-control': 'public, max-age=3600',
          'content-security-policy':
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
          'x-content-type-options': 'nosniff',
        });
        res.end(html);
      });
    }
  };
}
