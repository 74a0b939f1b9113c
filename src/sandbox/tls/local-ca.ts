import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/**
 * The emulators are served over HTTPS like the real CXone, Graph and Entra (MSAL refuses an
 * http:// authority). A locally generated CA signs one server certificate for loopback; our
 * process trusts that CA through config (an undici Agent / MSAL network client), never by
 * turning TLS verification off.
 */
export interface LocalTls {
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const FILES = { ca: 'ca.pem', cert: 'server.pem', key: 'server-key.pem' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export async function createLocalTls(hosts: readonly string[] = ['localhost', '127.0.0.1']): Promise<LocalTls> {
  const notAfterDate = new Date(Date.now() + TEN_YEARS_MS);
  const ca = await generate([{ name: 'commonName', value: 'Presence Sync Sandbox CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const altNames = hosts.map((h) =>
    /^[\d.]+$|:/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
  );
  const leaf = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caCertPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private };
}

/** Reuse the CA kept in `dir` (so a browser or curl can trust it once), creating it on first use. */
export async function loadOrCreateLocalTls(dir: string): Promise<LocalTls> {
  try {
    const [caCertPem, certPem, keyPem] = await Promise.all(
      [FILES.ca, FILES.cert, FILES.key].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { caCertPem: caCertPem!, certPem: certPem!, keyPem: keyPem! };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tls = await createLocalTls();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FILES.ca), tls.caCertPem);
  await writeFile(join(dir, FILES.cert), tls.certPem);
  await writeFile(join(dir, FILES.key), tls.keyPem, { mode: 0o600 });
  return tls;
}
