import { createCxoneAcd } from '../adapters/cxone/cxone-acd.js';
import { originOf } from '../adapters/cxone/cxone-host-policy.js';
import type { CxoneConnectionTest } from '../adapters/http/api/api-deps.js';
import type { Clock, ExternalFailure, Logger } from '../application/ports.js';
import { err, ok } from '../domain/result.js';
import type { Endpoints } from './tenant-ports.js';

/** OAuth error codes of a token endpoint refusing the client or the access key (RFC 6749 §5.2). */
const REFUSED = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

const refusedCredentials = (f: ExternalFailure): boolean =>
  (f.status === 400 || f.status === 401) && REFUSED.has(f.code);

/**
 * The tab's "test connection": discovery and a token against the stored issuer, nothing stored.
 * Only allowed CXone hosts are tried, and a failure says no more than "could not reach CXone at
 * …" (or that the credentials were refused): a closed port, a plain-HTTP service and an error
 * status read the same, so the test cannot be used to scan a network. The full failure goes to
 * the operator's log.
 */
export function cxoneConnectionTest(w: {
  readonly endpoints: Endpoints;
  readonly clock: Clock;
  readonly logger: Logger;
}): CxoneConnectionTest {
  return async (tenantId, values) => {
    const issuerUrl = values['issuerUrl'] ?? w.endpoints.cxoneAuthBaseUrl;
    const at = originOf(issuerUrl);
    if (!w.endpoints.cxoneHostPolicy.allows(issuerUrl))
      return err({ code: 'CXONE_HOST_NOT_ALLOWED', detail: `${at} is not one of the allowed CXone hosts.` });
    const acd = createCxoneAcd(
      {
        tenantId,
        issuerUrl,
        hostPolicy: w.endpoints.cxoneHostPolicy,
        clientId: values['clientId'] ?? '',
        clientSecret: values['clientSecret'] ?? '',
        accessKeyId: values['accessKeyId'] ?? '',
        accessKeySecret: values['accessKeySecret'] ?? '',
        ...(w.endpoints.caPem ? { extraCaPem: w.endpoints.caPem } : {}),
      },
      { clock: w.clock, logger: w.logger },
    );
    try {
      const r = await acd.auth.discover();
      if (r.ok) return ok({ detail: `connected to ${r.value.apiBaseUrl}` });
      w.logger.info(
        { tenantId, issuer: at, status: r.error.status, code: r.error.code, message: r.error.message },
        'cxone connection test failed',
      );
      return err(
        refusedCredentials(r.error)
          ? { code: 'CXONE_CREDENTIALS_REFUSED', detail: `CXone at ${at} refused the client or the access key.` }
          : { code: 'CXONE_UNREACHABLE', detail: `could not reach CXone at ${at}` },
      );
    } finally {
      await acd.close();
    }
  };
}
