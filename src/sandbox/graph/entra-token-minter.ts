import type { EmulatedApp, EmulatedUser } from './emulator-model.js';
import type { EntraKeys } from './entra-keys.js';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
/** The resource a bot asks a token for to call the Bot Connector (README "Bot Framework tokens"). */
export const BOT_CONNECTOR_AUDIENCE = 'https://api.botframework.com';
/**
 * The Bot Framework's own Entra tenant (`botframework.com`), where a multi-tenant bot gets its
 * Connector tokens; the `iss` of those tokens names it.
 */
export const BOT_FRAMEWORK_TENANT = { alias: 'botframework.com', id: 'd6d49420-f39b-4df7-a1dc-d59a935871db' } as const;
export const TOKEN_LIFETIME_SEC = 3599;
/** The Teams desktop/mobile client, the `azp` of the tokens Teams' getAuthToken returns (README "Tab SSO"). */
export const TEAMS_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
/** The scope our app exposes for Teams SSO. */
export const OWN_API_SCOPE = 'access_as_user';

/**
 * The JWTs the emulated Entra issues (README "Tokens"): Graph tokens are always v1-shaped (Graph
 * is a Microsoft API); tokens for our own API and id tokens follow the app's
 * `accessTokenAcceptedVersion` (v2 by default, like the project's aad.manifest.json).
 */
export class EntraTokenMinter {
  constructor(private readonly keys: EntraKeys) {}

  appGraphToken(tenantId: string, app: EmulatedApp): Promise<string> {
    return this.keys.sign(
      {
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        appid: app.clientId,
        azp: app.clientId,
        tid: tenantId,
        oid: `sp-${app.clientId}`,
        sub: `sp-${app.clientId}`,
        idtyp: 'app',
        roles: [...app.roles],
        ver: '1.0',
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  /**
   * The app-only token a bot sends the Bot Connector (Bot Connector authentication, "Bot to
   * Connector: example JWT components"): v1, aud api.botframework.com, appid = the bot.
   */
  botConnectorToken(tenantId: string, app: EmulatedApp): Promise<string> {
    return this.keys.sign(
      {
        aud: BOT_CONNECTOR_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        appid: app.clientId,
        appidacr: '1',
        tid: tenantId,
        oid: `sp-${app.clientId}`,
        sub: `sp-${app.clientId}`,
        idtyp: 'app',
        ver: '1.0',
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  userGraphToken(tenantId: string, app: EmulatedApp, user: EmulatedUser, scp: readonly string[]): Promise<string> {
    return this.keys.sign(
      {
        aud: GRAPH_AUDIENCE,
        iss: `https://sts.windows.net/${tenantId}/`,
        appid: app.clientId,
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        upn: user.userPrincipalName,
        name: user.displayName,
        scp: scp.join(' '),
        idtyp: 'user',
        ver: '1.0',
      },
      TOKEN_LIFETIME_SEC,
    );
  }

  /**
   * A token for our own API (`access_as_user`), as Teams SSO or an OBO assertion carries it.
   * v2: aud = client id, azp = the calling client; v1: aud = Application ID URI, appid = the client.
   */
  ownApiToken(tenantId: string, app: EmulatedApp, user: EmulatedUser, client = TEAMS_CLIENT_ID): Promise<string> {
    const common = {
      tid: tenantId,
      oid: user.id,
      sub: user.id,
      name: user.displayName,
      scp: OWN_API_SCOPE,
      ...(user.appRoles?.length ? { roles: [...user.appRoles] } : {}),
    };
    const claims =
      app.accessTokenVersion === 1
        ? {
            ...common,
            aud: ownApiAudienceV1(app),
            iss: `https://sts.windows.net/${tenantId}/`,
            appid: client,
            upn: user.userPrincipalName,
            ver: '1.0',
          }
        : {
            ...common,
            aud: app.clientId,
            iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
            azp: client,
            preferred_username: user.userPrincipalName,
            ver: '2.0',
          };
    return this.keys.sign(claims, TOKEN_LIFETIME_SEC);
  }

  idToken(tenantId: string, app: EmulatedApp, user: EmulatedUser, nonce?: string): Promise<string> {
    return this.keys.sign(
      {
        aud: app.clientId,
        iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        ver: '2.0',
        ...(nonce ? { nonce } : {}),
      },
      TOKEN_LIFETIME_SEC,
    );
  }
}

/** The `aud` of v1 tokens for the app's own API: its Application ID URI. */
export function ownApiAudienceV1(app: EmulatedApp): string {
  return app.appIdUri ?? `api://${app.clientId}`;
}
