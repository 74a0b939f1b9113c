import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

/** A presence subscription as the emulator holds it (reference graph-presence.md §3.3). */
export interface EmulatedSubscription {
  readonly id: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly creatorId: string;
  readonly resource: string;
  readonly userIds: ReadonlySet<string>;
  readonly changeType: string;
  notificationUrl: string;
  readonly lifecycleNotificationUrl?: string;
  readonly clientState?: string;
  expiresAt: number;
  readonly includeResourceData: boolean;
  certificate?: SubscriptionCertificate;
  /** A reauthorizationRequired was sent for this expiry; delivery is held until renewal. */
  reauthPendingFor?: number;
}

export interface SubscriptionCertificate {
  readonly id: string;
  readonly publicKey: KeyObject;
  /** §3.8: upper-case hex SHA-1 of the DER. */
  readonly thumbprint: string;
}

const ID = String.raw`'?([0-9a-zA-Z-]+)'?`;

/** §3.2: `communications/presences/{id}` or `/communications/presences?$filter=id in ('a','b')`. */
export function parsePresenceResource(resource: string): string[] | undefined {
  const single = /^\/?communications\/presences\/([0-9a-zA-Z-]+)$/.exec(resource);
  if (single) return [single[1]!];
  const bulk = /^\/?communications\/presences\?\$filter=id in \((.*)\)$/.exec(resource);
  if (!bulk) return undefined;
  const ids = bulk[1]!.split(',').map((s) => new RegExp(`^${ID}$`).exec(s.trim())?.[1]);
  if (ids.some((id) => id === undefined)) return undefined;
  return [...new Set(ids as string[])];
}

/** §3.3: an RSA 2048–4096 bit certificate, base64 DER (only the public key is used). */
export function parseCertificate(base64: string, id: string): SubscriptionCertificate | undefined {
  try {
    const der = Buffer.from(base64, 'base64');
    const cert = new X509Certificate(der);
    const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (cert.publicKey.asymmetricKeyType !== 'rsa' || bits < 2048 || bits > 4096) return undefined;
    return { id, publicKey: cert.publicKey, thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase() };
  } catch {
    return undefined;
  }
}

export function subscriptionResource(s: EmulatedSubscription, now: number): Record<string, unknown> {
  return {
    id: s.id,
    resource: s.resource,
    applicationId: s.appId,
    changeType: s.changeType,
    clientState: s.clientState ?? null,
    notificationUrl: s.notificationUrl,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
    expirationDateTime: new Date(s.expiresAt).toISOString(),
    creatorId: s.creatorId,
    includeResourceData: s.includeResourceData,
    encryptionCertificateId: s.certificate?.id ?? null,
    latestSupportedTlsVersion: 'v1_2',
    notificationUrlAppId: null,
    ...(now > s.expiresAt ? { expired: true } : {}),
  };
}
