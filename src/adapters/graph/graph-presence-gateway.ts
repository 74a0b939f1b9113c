import type {
  ExternalFailure,
  HeldSession,
  ObservedPresence,
  PresenceDesire,
  PresenceGateway,
  PresenceWriteOutcome,
} from '../../application/ports.js';
import type { Result } from '../../domain/result.js';
import type { GraphPresenceReader } from './graph-presence-reader.js';
import type { GraphPresenceWriter } from './graph-presence-writer.js';
import type { PresenceBudget } from './presence-budget.js';

/** `PresenceGateway` over Graph: the budgeted batch writer and the chunked reader share one tenant budget. */
export class GraphPresenceGateway implements PresenceGateway {
  constructor(
    private readonly writer: GraphPresenceWriter,
    private readonly reader: GraphPresenceReader,
    private readonly budget?: PresenceBudget,
  ) {}

  /** Until when Graph's 429 Retry-After pauses our presence requests; undefined when not throttled. */
  throttledUntil(): number | undefined {
    const until = this.budget?.pausedUntil ?? 0;
    return until > 0 ? until : undefined;
  }

  write(desire: PresenceDesire): Promise<Result<PresenceWriteOutcome, ExternalFailure>> {
    return this.writer.write(desire);
  }

  read(userIds: readonly string[]): Promise<Result<readonly ObservedPresence[], ExternalFailure>> {
    return this.reader.read(userIds);
  }

  adoptHeld(held: readonly HeldSession[]): void {
    for (const h of held) this.writer.adopt(h.userId, h.presence, h.at);
  }

  /** Keep-alive of held sessions; the engine calls it on every poll. */
  refreshDue(): string[] {
    return this.writer.refreshDue();
  }
}
