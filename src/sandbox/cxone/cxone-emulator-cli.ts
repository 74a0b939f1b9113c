/**
 * Runs the CXone emulator on its own for a person or a manual test:
 *   npx tsx src/sandbox/cxone/cxone-emulator-cli.ts [--agents 200] [--teams 10] [--port 8443] [--tls-dir data/sandbox-tls]
 * The CA is kept in --tls-dir (shared with the Graph/Entra emulator) so curl/browsers can trust it once.
 */
import { parseArgs } from 'node:util';
import { loadOrCreateLocalTls } from '../tls/local-ca.js';
import { startCxoneEmulator } from './cxone-emulator.js';
import { SandboxClock } from '../sandbox-clock.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    teams: { type: 'string', default: '10' },
    port: { type: 'string', default: '0' },
    'tls-dir': { type: 'string', default: 'data/sandbox-tls' },
  },
});
const tls = await loadOrCreateLocalTls(values['tls-dir']);
const emu = await startCxoneEmulator({
  tls,
  port: Number(values.port),
  clock: new SandboxClock(Date.now(), true),
  seed: { teams: Number(values.teams), agents: Number(values.agents), initialState: 'Available' },
});
const c = emu.credentials;
process.stdout.write(`CXone emulator on ${emu.url} (CA: ${values['tls-dir']}/ca.pem)
  issuer / discovery : ${emu.url}/.well-known/openid-configuration, ${emu.url}/.well-known/cxone-configuration?tenantId=${emu.tenantId}
  client id/secret   : ${c.clientId} / ${c.clientSecret}   access key: ${c.accessKeyId} / ${c.accessKeySecret}   (sandbox values)
  scenario driver    : POST ${emu.url}/_control/... (see src/sandbox/cxone/README.md)
`);
const stop = (): void => void emu.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
