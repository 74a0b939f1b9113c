import { createHttpTransport } from '../../../src/adapters/shared/http-transport.js';
import type { CxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';

/** A raw HTTPS client for conformance tests: speaks to the emulator the way any CXone client would. */
export function emulatorClient(emu: CxoneEmulator) {
  const transport = createHttpTransport({ extraCaPem: emu.caCertPem, timeoutMs: 10_000 });
  const basic = Buffer.from(`${emu.credentials.clientId}:${emu.credentials.clientSecret}`).toString('base64');
  const api = (path: string): string => `${emu.url}/inContactAPI/services/v23.0${path}`;
  const call = async (
    method: string,
    url: string,
    init: { token?: string; body?: unknown; form?: Record<string, string>; basic?: boolean } = {},
  ) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.basic) headers.Authorization = `Basic ${basic}`;
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await transport.fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- conformance tests read arbitrary JSON
    const json = (text ? JSON.parse(text) : undefined) as any;
    return { status: res.status, headers: res.headers, json };
  };
  const token = async (): Promise<string> => {
    const r = await call('POST', `${emu.url}/auth/token`, {
      basic: true,
      form: {
        grant_type: 'password',
        username: emu.credentials.accessKeyId,
        password: emu.credentials.accessKeySecret,
      },
    });
    return r.json.access_token as string;
  };
  const control = (path: string, body: unknown = {}) => call('POST', `${emu.url}/_control${path}`, { body });
  return { call, api, token, control, close: () => transport.close() };
}
