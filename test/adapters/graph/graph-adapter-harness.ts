import {
  createGraphAdapter,
  type GraphAdapter,
  type GraphAdapterDeps,
} from '../../../src/adapters/graph/graph-adapter.js';
import { startHarness, type Harness } from '../../sandbox/graph/graph-emulator-harness.js';
import type { GraphEmulatorOptions } from '../../../src/sandbox/graph/graph-emulator.js';
import type { EmulatedApp } from '../../../src/sandbox/graph/emulator-model.js';

/** The emulator on a manual clock plus the real adapter talking to it over HTTPS; waiting advances the clock. */
export interface AdapterHarness extends Harness {
  readonly adapter: GraphAdapter;
  readonly sleeps: number[];
}

export async function startAdapterHarness(
  userCount: number,
  deps: Partial<GraphAdapterDeps> = {},
  emu: Partial<GraphEmulatorOptions> = {},
  appSettings: Partial<EmulatedApp> = {},
): Promise<AdapterHarness> {
  const h = await startHarness(userCount, emu, appSettings);
  const app = h.tenant.apps[0]!;
  const sleeps: number[] = [];
  const adapter = createGraphAdapter(
    {
      tenantId: h.tenant.id,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authorityHost: h.emulator.authorityUrl,
      graphBaseUrl: h.emulator.url,
      caPem: h.emulator.caCertPem,
    },
    {
      clock: h.clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (ms > 0) h.emulator.control.advance(ms);
        await new Promise((r) => setImmediate(r));
      },
      ...deps,
    },
  );
  return {
    ...h,
    adapter,
    sleeps,
    async close() {
      await adapter.close();
      await h.close();
    },
  };
}
