import { appendCapped } from '../capped-log.js';

/** One API request as the emulator served it (what a test counts writes and retries with). */
export interface EmuLoggedRequest {
  /** Emulator clock. */
  readonly at: number;
  readonly method: string;
  /** The path without the `/inContactAPI/services/vN.0` prefix; query strings left out. */
  readonly path: string;
  /** The status sent, or how the answer was lost. */
  readonly outcome: number | 'reset' | 'stalled';
  /** The JSON body of a POST (state writes), for counting what was asked. */
  readonly body?: unknown;
}

/** ~250 bytes an entry with its body: 20,000 are ~5 MB per emulator. */
export const DEFAULT_REQUEST_LOG_CAP = 20_000;

/** A bounded log of served API requests, oldest dropped first (see capped-log.ts). */
export class CxoneRequestLog {
  private readonly entries: EmuLoggedRequest[] = [];

  constructor(readonly cap = DEFAULT_REQUEST_LOG_CAP) {}

  add(entry: EmuLoggedRequest): void {
    appendCapped(this.entries, entry, this.cap);
  }

  /** Requests matching the method and a path pattern (e.g. `/agents/1000001/state`). */
  find(method: string, path: RegExp | string): EmuLoggedRequest[] {
    return this.entries.filter(
      (e) =>
        e.method === method &&
        (typeof path === 'string' ? e.path.toLowerCase() === path.toLowerCase() : path.test(e.path)),
    );
  }

  all(): readonly EmuLoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
