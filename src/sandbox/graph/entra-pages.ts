import type { EmulatorResponse } from './emulator-http.js';

/**
 * The emulated Entra sign-in pages. Plain HTML, no script: a browser test (or a person) fills
 * them like the real ones, and the element ids are Entra's own (`i0116` the username, `i0118`
 * the password, `idSIButton9` the primary button, `idBtn_Back` the secondary one).
 */
const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      ...headers,
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0}
input{width:100%;padding:.4rem}button{padding:.4rem 1rem}.err{color:#a4262c}</style></head>
<body><p>Microsoft Entra ID (emulator)</p><h1>${esc(title)}</h1>${body}</body></html>`,
  };
}

export interface SignInView {
  readonly action: string;
  readonly ctx: string;
  readonly loginHint?: string;
  /** Accounts already signed in in this browser: one click continues as them. */
  readonly accounts: readonly { readonly key: string; readonly upn: string; readonly name: string }[];
  readonly error?: string;
  readonly purpose: string;
}

export function signInPage(v: SignInView): EmulatorResponse {
  const picker = v.accounts
    .map(
      (a) =>
        `<form method="post" action="${esc(v.action)}"><input type="hidden" name="ctx" value="${esc(v.ctx)}">` +
        `<input type="hidden" name="account" value="${esc(a.key)}">` +
        `<button type="submit" data-upn="${esc(a.upn)}">Continue as ${esc(a.name)} (${esc(a.upn)})</button></form>`,
    )
    .join('');
  return page(
    'Sign in',
    `<p>${esc(v.purpose)}</p>${picker ? `<h2>Pick an account</h2>${picker}<h2>Use another account</h2>` : ''}
${v.error ? `<p class="err" id="usernameError" role="alert">${esc(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}"><input type="hidden" name="ctx" value="${esc(v.ctx)}">
<label for="i0116">Email, phone, or Skype</label><input id="i0116" name="login" type="email" autocomplete="username" value="${esc(v.loginHint ?? '')}" required>
<label for="i0118">Password</label><input id="i0118" name="passwd" type="password" autocomplete="current-password">
<button id="idSIButton9" type="submit">Sign in</button></form>`,
  );
}

export interface ConsentView {
  readonly action: string;
  readonly ctx: string;
  readonly appName: string;
  readonly upn: string;
  readonly permissions: readonly string[];
  /** Admin consent: "on behalf of your organization". */
  readonly organization: boolean;
}

export function consentPage(v: ConsentView): EmulatorResponse {
  const items = v.permissions.map((p) => `<li>${esc(p)}</li>`).join('');
  const hidden = `<input type="hidden" name="ctx" value="${esc(v.ctx)}">`;
  return page(
    'Permissions requested',
    `<p>${esc(v.upn)}</p><p>${esc(v.appName)} would like to:</p><ul id="permissions">${items}</ul>
${v.organization ? '<p id="consentScope">Accepting grants these permissions for every user in your organization.</p>' : ''}
<form method="post" action="${esc(v.action)}">${hidden}<input type="hidden" name="accept" value="true"><button id="idSIButton9" type="submit">Accept</button></form>
<form method="post" action="${esc(v.action)}">${hidden}<input type="hidden" name="accept" value="false"><button id="idBtn_Back" type="submit">Cancel</button></form>`,
  );
}

/** An error Entra shows instead of redirecting (the redirect URI cannot be trusted, or admin approval is needed). */
export function errorPage(title: string, aadsts: number, message: string, status = 400): EmulatorResponse {
  return {
    ...page(
      title,
      `<p class="err" role="alert" id="errorCode">AADSTS${aadsts}: ${esc(message)}</p><p><a href="https://login.microsoftonline.com/error?code=${aadsts}">More about this error</a></p>`,
    ),
    status,
  };
}

/** `response_mode=form_post`: the browser posts the answer to the redirect URI at once. */
export function formPostPage(redirectUri: string, params: Readonly<Record<string, string>>): EmulatorResponse {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
  };
}
