import { randomUUID } from 'node:crypto';
import type { CxoneModel, ModelChange } from './cxone-model.js';
import {
  agentStateEvent,
  contactEvent,
  sessionEndEvent,
  sessionStartEvent,
  type SessionEvent,
} from './cxone-session-events.js';

interface Session {
  readonly agentId: number;
  readonly platformSessionId: number;
  currentId: string;
  previousId?: string;
  queue: SessionEvent[];
  ended: boolean;
  wake?: () => void;
}

export type NextEventAnswer =
  | { readonly status: 200; readonly sessionId: string; readonly events: SessionEvent[] }
  | { readonly status: 304 | 409 };

/**
 * Agent sessions joined by a back end (reference §3.1, §9.7): one event queue per session, read
 * by long-poll. Every answer rotates the session id; polling with an older id replays
 * AgentSessionStart plus a state/contact snapshot. After AgentSessionEnd, polls answer 409.
 */
export class CxoneSessions {
  private readonly byId = new Map<string, Session>();
  private platformSessionId = 3_000_000;

  constructor(private readonly model: CxoneModel) {
    model.observe((change) => this.route(change));
  }

  /** `POST /agent-sessions/join {asAgentId}`; undefined when the agent has no session to join. */
  join(agentId: number): string | undefined {
    const st = this.model.states.get(agentId);
    if (!st || st.state === 'LoggedOut') return undefined;
    this.platformSessionId += 1;
    const session: Session = {
      agentId,
      platformSessionId: this.platformSessionId,
      currentId: randomUUID(),
      queue: [],
      ended: false,
    };
    session.queue = this.snapshot(session);
    this.byId.set(session.currentId, session);
    return session.currentId;
  }

  agentOf(sessionId: string): number | undefined {
    const s = this.byId.get(sessionId);
    return s && !s.ended ? s.agentId : undefined;
  }

  async nextEvents(sessionId: string, timeoutSec: number): Promise<NextEventAnswer> {
    const s = this.byId.get(sessionId);
    if (!s || (s.ended && s.queue.length === 0)) return { status: 409 };
    if (sessionId !== s.currentId) s.queue = [...this.snapshot(s), ...s.queue];
    if (s.queue.length === 0) await this.waitForEvent(s, timeoutSec);
    if (s.queue.length === 0) return { status: 304 };
    const events = s.queue;
    s.queue = [];
    // Keep the current and the previous id (a replay after a lost answer); older ids are forgotten.
    if (s.previousId) this.byId.delete(s.previousId);
    s.previousId = s.currentId;
    s.currentId = randomUUID();
    this.byId.set(s.currentId, s);
    return { status: 200, sessionId: s.currentId, events };
  }

  /** Wakes pending long-polls so servers can close. */
  closeAll(): void {
    for (const s of this.byId.values()) s.wake?.();
  }

  private waitForEvent(s: Session, timeoutSec: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, Math.min(60, timeoutSec)) * 1000);
      function done(): void {
        clearTimeout(timer);
        delete s.wake;
        resolve();
      }
      s.wake = done;
    });
  }

  private snapshot(s: Session): SessionEvent[] {
    const contacts = [...this.model.contacts.values()]
      .filter((c) => c.agentId === s.agentId)
      .map((c) => contactEvent(this.model, c));
    return [
      sessionStartEvent(this.model, s.agentId, s.platformSessionId),
      agentStateEvent(this.model, s.agentId),
      ...contacts,
    ];
  }

  private route(change: ModelChange): void {
    const agentId = change.kind === 'contact' ? change.contact.agentId : change.agentId;
    for (const s of new Set(this.byId.values())) {
      if (s.agentId !== agentId || s.ended) continue;
      if (change.kind === 'state') s.queue.push(agentStateEvent(this.model, agentId));
      if (change.kind === 'contact') s.queue.push(contactEvent(this.model, change.contact));
      if (change.kind === 'sessionEnd') {
        s.queue.push(sessionEndEvent('RemoteLogoff'));
        s.ended = true;
      }
      s.wake?.();
    }
  }
}
