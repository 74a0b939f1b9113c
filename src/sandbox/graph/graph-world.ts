import { appendCapped, DEFAULT_EMULATOR_LOG_CAP } from '../capped-log.js';
import type { EmulatorClock } from './emulator-clock.js';
import type { Directory } from './emulator-model.js';
import { PresenceThrottle } from './presence-throttle.js';
import { RouteFaults } from './route-faults.js';
import { UserPresence } from './presence-engine.js';

/** A forced answer for the next presence calls (fault injection, reference §8.5, §8.9). */
export interface ForcedFault {
  remaining: number;
  readonly status: number;
  readonly retryAfterSec?: number;
}

/** One presence write the emulator applied. */
export interface PresenceWriteLogEntry {
  /** Emulator clock when the write was applied. */
  readonly at: number;
  /** Emulator clock when its request (or the $batch carrying it) arrived; what a latency is measured to. */
  readonly receivedAt?: number;
  readonly route: string;
  readonly userId: string;
  readonly appId: string;
  /** `availability/activity` written (set routes), so a repeat of the same write can be told from a new one. */
  readonly presence?: string;
}

/**
 * The shared in-memory state of the Graph emulator: every user's presence engine, the throttle
 * and the injected faults. Aggregate changes are announced to listeners (notification delivery).
 */
export class GraphWorld {
  readonly #presences = new Map<string, UserPresence>();
  readonly #listeners: ((tenantId: string, userId: string) => void)[] = [];
  readonly faults: ForcedFault[] = [];
  /** Faults for the $batch envelope itself (the whole batch answers 429/5xx, reference §4 CONFLICT). */
  readonly batchFaults: ForcedFault[] = [];
  /** Errors and timeouts on chosen routes, for a count or a time window (fault injection). */
  readonly routeFaults = new RouteFaults();
  /** Real-time delay added to every Graph answer (fault injection: slow responses). */
  slowMs = 0;
  readonly throttle: PresenceThrottle;
  /** The presence writes that reached the engine, newest `logCap` kept (see capped-log.ts), for assertions. */
  readonly writeLog: PresenceWriteLogEntry[] = [];
  /** Presence read requests answered (GET presence, getPresencesByUserId): tests count the reads a change costs. */
  presenceReads = 0;

  constructor(
    readonly directory: Directory,
    readonly clock: EmulatorClock,
    presenceLimit: number,
    readonly logCap = DEFAULT_EMULATOR_LOG_CAP,
    /** This start's number (see UserPresence): sequenceNumbers never repeat across restarts. */
    private readonly generation = 0,
  ) {
    this.throttle = new PresenceThrottle(presenceLimit);
  }

  logWrite(entry: PresenceWriteLogEntry): void {
    appendCapped(this.writeLog, entry, this.logCap);
  }

  presence(userId: string): UserPresence {
    let p = this.#presences.get(userId);
    if (!p) {
      p = new UserPresence(userId, this.generation);
      this.#presences.set(userId, p);
    }
    return p;
  }

  onChange(listener: (tenantId: string, userId: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Re-evaluate one user now; announce when the aggregate moved. */
  touch(userId: string): void {
    const p = this.#presences.get(userId);
    if (!p || !p.evaluate(this.clock.now())) return;
    const tenantId = this.directory.tenantOfUser(userId);
    if (tenantId) for (const l of this.#listeners) l(tenantId, userId);
  }

  /** Announce a new version that did not move the aggregate (a status message). */
  announce(userId: string): void {
    const p = this.#presences.get(userId);
    const tenantId = this.directory.tenantOfUser(userId);
    if (!p || !tenantId) return;
    p.bump();
    for (const l of this.#listeners) l(tenantId, userId);
  }

  /** Clock moved: sessions may have expired or decayed. */
  reevaluateAll(): void {
    for (const userId of this.#presences.keys()) this.touch(userId);
  }

  /** The next forced fault, consuming it. */
  takeFault(list: ForcedFault[] = this.faults): ForcedFault | undefined {
    const f = list[0];
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) list.shift();
    return f;
  }
}
