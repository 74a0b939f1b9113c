import { app, authentication } from '@microsoft/teams-js';
import { AUTH_CHANNEL } from './auth-popup.js';

/**
 * The last page of a sign-in popup: hands its query (the authorization `code` and `state`, or
 * Entra's `error`) to the tab that opened it. The tab completes the exchange with its own SSO
 * token, so a code is only ever redeemed for the admin who started the sign-in.
 */
async function main(): Promise<void> {
  const result = window.location.search.slice(1);
  // Clear it from the address bar and history: the code must not linger.
  window.history.replaceState(null, '', window.location.pathname);
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  channel.postMessage({ type: AUTH_CHANNEL, result });
  channel.close();
  window.opener?.postMessage({ type: AUTH_CHANNEL, result }, window.location.origin);
  try {
    const params = new URLSearchParams(window.location.search);
    const hostOrigin = params.get('hostOrigin');
    await Promise.race([
      app.initialize(hostOrigin ? [hostOrigin] : undefined),
      new Promise((_r, reject) => setTimeout(() => reject(new Error('no Teams host')), 5000)),
    ]);
    authentication.notifySuccess(result);
  } catch {
    const note = document.getElementById('note');
    if (note) note.textContent = 'Sign-in finished. You can close this window.';
  }
}

void main();
