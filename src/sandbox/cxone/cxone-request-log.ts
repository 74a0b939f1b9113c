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

const KEPT = 20_000;

/** A bounded log of served API requests, oldest dropped first. */
export class CxoneRequestLog {
  private readonly entries: EmuLoggedRequest[] = [];

  add(entry: EmuLoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > KEPT) this.entries.splice(0, this.entries.length - KEPT);
  }

  /** Requests matching the method and a path pattern (e.g. `/agents/1000001/state`). */
  find(method: string, path: RegExp | string): EmuLoggedRequest[] {
    return this.entries.filter((e) => e.method === method && (typeof path === 'string' ? e.path.toLowerCase() === path.toLowerCase() : path.test(e.path)));
  }

  all(): readonly EmuLoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
