import type { Server } from 'restify';
import type { SandboxFetch as HttpFetch } from './sandbox-fetch.js';
import type { SandboxWorld } from './sandbox-world.js';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined && (/^(::ffff:)?127\./.test(address) || address === '::1');

/**
 * Sandbox only: `GET /sandbox/dev-token?role=admin|support` → `{ token, expiresIn }`, the tab's
 * outside-Teams sign-in (tabs/README.md). The token is a real SSO token from the emulated Entra
 * (password grant of a seeded user holding the app role), so the tab API validates it like any other.
 * It hands an admin token to whoever asks, so it answers loopback callers only (issue 15), even
 * when HOST makes the sandbox listen on every interface.
 */
export function sandboxDevTokenRoute(world: SandboxWorld, fetchImpl: HttpFetch): (server: Pick<Server, 'get'>) => void {
  const app = world.entra.apps[0]!;
  return (server) => {
    server.get('/sandbox/dev-token', async (req, res) => {
      if (!isLoopbackAddress(req.socket.remoteAddress)) {
        res.setHeader('content-type', 'application/problem+json');
        res.sendRaw(
          403,
          JSON.stringify({
            status: 403,
            code: 'SANDBOX.LOOPBACK_ONLY',
            title: 'Loopback only',
            detail: 'the sandbox dev-token is only handed out on this machine',
          }),
        );
        return;
      }
      const role = new URL(req.url ?? '/', 'http://localhost').searchParams.get('role') ?? 'admin';
      if (role !== 'admin' && role !== 'support') {
        res.setHeader('content-type', 'application/problem+json');
        res.sendRaw(
          400,
          JSON.stringify({
            status: 400,
            code: 'SANDBOX.BAD_ROLE',
            title: 'Unknown role',
            detail: 'role must be admin or support',
          }),
        );
        return;
      }
      const user = role === 'admin' ? world.admin : world.support;
      const form = new URLSearchParams({
        grant_type: 'password',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        username: user.userPrincipalName,
        password: user.password,
        scope: `api://localhost/${app.clientId}/access_as_user`,
      });
      const answer = await fetchImpl(`${world.graph.authorityUrl}/${world.entra.id}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      const body = (await answer.json()) as { access_token?: string; expires_in?: number };
      res.setHeader('cache-control', 'no-store');
      if (!answer.ok || !body.access_token) {
        res.send(502, {
          status: 502,
          code: 'SANDBOX.TOKEN_FAILED',
          detail: `the emulated Entra answered ${answer.status}`,
        });
        return;
      }
      res.send(200, { token: body.access_token, expiresIn: body.expires_in ?? 3600 });
    });
  };
}
