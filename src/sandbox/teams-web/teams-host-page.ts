/**
 * The page that plays the Teams web client around the tab (`/_teams/`): it frames the tab and
 * answers teams-js over postMessage as Teams does (reference/teams-local-testing.md §1.2) —
 * `initialize` → frame context and runtime, `getContext` → tenant and user, `getAuthToken` → the
 * emulated Entra's SSO token for that user, and `authentication.authenticate` → it opens the
 * popup itself and relays the popup's `notifySuccess` / `notifyFailure` (or a closed window as
 * CancelledByUser) to the tab. Query: `tid`, `user`, `page` (setup, users, rules, health, …).
 */
export const TEAMS_HOST_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Teams (emulator)</title>
<style>body{margin:0;font-family:system-ui,sans-serif}header{padding:4px 8px;background:#464775;color:#fff;font-size:13px}iframe{border:0;width:100%;height:calc(100vh - 26px)}</style>
</head>
<body>
<header id="who">Teams (emulator)</header>
<iframe id="tab" title="Presence Sync tab"></iframe>
<script src="/_teams/host.js"></script>
</body>
</html>
`;

/** The host's script, served as a file of its own so the product's CSP (script-src 'self') never matters. */
export const TEAMS_HOST_SCRIPT = `'use strict';
const q = new URLSearchParams(location.search);
const frame = document.getElementById('tab');
const origin = location.origin;
document.getElementById('who').textContent = 'Teams (emulator): ' + (q.get('user') || '?') + ' in tenant ' + (q.get('tid') || '?');
const runtimeConfig = { apiVersion: 4, supports: { app: {}, appEntity: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {} }, teamsCore: {} } };
let popup = null;
let pendingAuth = null;
const reply = (target, m, args) => target.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, origin);
const finishAuth = (ok, result) => {
  if (pendingAuth) reply(frame.contentWindow, pendingAuth, [ok, result]);
  pendingAuth = null;
};
addEventListener('message', async (ev) => {
  if (ev.origin !== origin || typeof ev.data !== 'object' || !ev.data || typeof ev.data.func !== 'string') return;
  const m = ev.data;
  if (popup && ev.source === popup) {
    if (m.func === 'initialize') reply(popup, m, ['authentication', 'web', JSON.stringify(runtimeConfig), '2.58.0']);
    else if (m.func === 'authentication.authenticate.success') finishAuth(true, m.args[0]);
    else if (m.func === 'authentication.authenticate.failure') finishAuth(false, m.args[0]);
    return;
  }
  if (ev.source !== frame.contentWindow) return;
  if (m.func === 'initialize') reply(frame.contentWindow, m, ['content', 'web', JSON.stringify(runtimeConfig), '2.58.0']);
  else if (m.func === 'getContext')
    reply(frame.contentWindow, m, [{
      theme: 'default', locale: 'en-us', entityId: q.get('page') || '', subEntityId: '', frameContext: 'content',
      hostName: 'Teams', hostClientType: 'web', userPrincipalName: q.get('user') || '', tid: q.get('tid') || '',
    }]);
  else if (m.func === 'authentication.getAuthToken') {
    const res = await fetch('/_teams/sso-token?' + new URLSearchParams({ tid: q.get('tid') || '', user: q.get('user') || '' }));
    if (!res.ok) return reply(frame.contentWindow, m, [false, 'resourceRequiresConsent']);
    reply(frame.contentWindow, m, [true, (await res.json()).token]);
  } else if (m.func === 'authentication.authenticate') {
    pendingAuth = m;
    popup = window.open(m.args[0], 'teams-auth', 'width=600,height=700');
    const watch = setInterval(() => {
      if (popup && !popup.closed) return;
      clearInterval(watch);
      finishAuth(false, 'CancelledByUser');
    }, 250);
  }
});
frame.src = '/tab/index.html?' + new URLSearchParams({ page: q.get('page') || 'setup' });
`;
