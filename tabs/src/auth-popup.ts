import { authentication } from '@microsoft/teams-js';

/** The channel the auth-end page answers on (same origin as the tab). */
export const AUTH_CHANNEL = 'presence-sync/auth-result';

/**
 * Teams: `authentication.authenticate` opens the popup and hands back what the auth-end page
 * passes to `notifySuccess`. Closing the window is no error: it resolves ''.
 */
export async function teamsPopup(url: string): Promise<string> {
  try {
    return await authentication.authenticate({ url, width: 600, height: 700 });
  } catch (e) {
    if (/CancelledByUser/i.test(e instanceof Error ? e.message : String(e))) return '';
    throw e;
  }
}

/**
 * Outside Teams (the sandbox, a plain browser): a window of ours; the auth-end page answers on a
 * BroadcastChannel of this origin (and to its opener), or the user closes it (resolves '').
 */
export function browserPopup(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const popup = window.open(url, 'presence-sync-auth', 'width=600,height=700');
    if (!popup) return reject(new Error('The sign-in window was blocked: allow pop-ups for this page.'));
    const channel = new BroadcastChannel(AUTH_CHANNEL);
    const finish = (result: string) => {
      clearInterval(timer);
      channel.close();
      window.removeEventListener('message', onMessage);
      if (!popup.closed) popup.close();
      resolve(result);
    };
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: unknown; result?: unknown } | null;
      if (e.origin === window.location.origin && data?.type === AUTH_CHANNEL) finish(String(data.result ?? ''));
    };
    channel.onmessage = (e: MessageEvent) => finish(String((e.data as { result?: unknown } | null)?.result ?? ''));
    window.addEventListener('message', onMessage);
    const timer = setInterval(() => popup.closed && finish(''), 500);
  });
}
