import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../src/application/ports.js';
import type { AcdStateEvent } from '../../../src/domain/agent-state.js';
import { createCxoneAcd, type CxoneAcd, type CxoneAcdOptions } from '../../../src/adapters/cxone/cxone-acd.js';
import {
  startCxoneEmulator,
  type CxoneEmulator,
  type CxoneEmulatorOptions,
} from '../../../src/sandbox/cxone/cxone-emulator.js';

/** A logger that keeps every line, so tests can assert what was (and was not) logged. */
export function recordingLogger(lines: string[] = []): Logger & { lines: string[] } {
  const make = (bindings: Record<string, unknown>): Logger & { lines: string[] } => {
    const log = (level: string) => (obj: Record<string, unknown>, msg?: string) =>
      void lines.push(JSON.stringify({ level, ...bindings, ...obj, msg }));
    return {
      lines,
      child: (b) => make({ ...bindings, ...b }),
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
    };
  };
  return make({});
}

/** Sleeps at most `capMs` of real time but records what the feed asked for (Retry-After, backoff, interval). */
export function fastSleep(capMs = 2): { sleep: (ms: number, signal: AbortSignal) => Promise<void>; asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    sleep: (ms, signal) => {
      asked.push(ms);
      return delay(Math.min(ms, capMs), undefined, { signal }).catch(() => undefined);
    },
  };
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

export interface Rig {
  readonly emu: CxoneEmulator;
  readonly acd: CxoneAcd;
  readonly logger: Logger & { lines: string[] };
  close(): Promise<void>;
}

/** The emulator over HTTPS and the real adapter wired to it (same CA, same clock). */
export async function startRig(
  emuOptions: CxoneEmulatorOptions = {},
  adapter: Partial<CxoneAcdOptions> = {},
): Promise<Rig> {
  const emu = await startCxoneEmulator(emuOptions);
  const logger = recordingLogger();
  const acd = createCxoneAcd(
    {
      issuerUrl: emu.url,
      ...emu.credentials,
      tenantId: 'tenant-1',
      extraCaPem: emu.caCertPem,
      ...adapter,
    },
    { clock: emu.clock, logger },
  );
  return {
    emu,
    acd,
    logger,
    close: async () => {
      await acd.close();
      await emu.close();
    },
  };
}

/** Collects delivered events, optionally failing some deliveries. */
export function sink(failTimes = 0): {
  deliver: (events: readonly AcdStateEvent[]) => Promise<void>;
  events: AcdStateEvent[];
  batches: number;
} {
  const s = {
    events: [] as AcdStateEvent[],
    batches: 0,
    deliver: async (events: readonly AcdStateEvent[]) => {
      if (failTimes > 0) {
        failTimes -= 1;
        throw new Error('inbox unavailable');
      }
      s.batches += 1;
      s.events.push(...events);
    },
  };
  return s;
}
