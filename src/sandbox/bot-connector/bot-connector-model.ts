import { z } from 'zod';

/** A conversation the emulated Connector knows (the bot is installed there). */
export interface ConnectorConversation {
  readonly id: string;
  readonly tenantId: string;
  readonly conversationType: 'personal' | 'channel' | 'groupChat';
}

/** One activity the bot sent, as the Connector received it. */
export interface ReceivedActivity {
  /** The id the Connector answered with. */
  readonly id: string;
  /** Epoch ms of receipt. */
  readonly at: number;
  readonly conversationId: string;
  readonly tenantId: string;
  /** Set when posted to `/activities/{replyToId}` (a reply); absent for a new (proactive) message. */
  readonly replyToId?: string;
  /** The `Authorization` header, when one was sent. */
  readonly authorization?: string;
  readonly activity: Readonly<Record<string, unknown>>;
}

export const conversationSchema = z.object({
  id: z.string().min(1).max(512),
  tenantId: z.string().min(1).max(128),
  conversationType: z.enum(['personal', 'channel', 'groupChat']).default('personal'),
});

/** The next `times` activity posts fail with `status` (429 with Retry-After: the Connector throttling the bot). */
export const connectorFaultSchema = z.object({
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)]).default(429),
  times: z.number().int().positive().max(1_000_000),
  retryAfterSec: z.number().nonnegative().max(3600).optional(),
});
export type ConnectorFault = z.input<typeof connectorFaultSchema>;

/** Conversations, received activities and injected faults: the emulator's whole state. */
export class BotConnectorModel {
  private readonly conversations = new Map<string, ConnectorConversation>();
  private readonly received: ReceivedActivity[] = [];
  private faults: z.output<typeof connectorFaultSchema>[] = [];
  private sequence = 0;

  constructor(
    private readonly now: () => number,
    private readonly maxRecorded = 10_000,
  ) {}

  addConversation(input: z.input<typeof conversationSchema>): ConnectorConversation {
    const conversation = conversationSchema.parse(input);
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  removeConversation(id: string): void {
    this.conversations.delete(id);
  }

  conversation(id: string): ConnectorConversation | undefined {
    return this.conversations.get(id);
  }

  injectFault(input: ConnectorFault): void {
    this.faults.push(connectorFaultSchema.parse(input));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Consumes one injected failure, if any is armed. */
  takeFault(): { status: number; retryAfterSec?: number } | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.shift();
    return {
      status: fault.status,
      ...(fault.retryAfterSec !== undefined ? { retryAfterSec: fault.retryAfterSec } : {}),
    };
  }

  record(entry: Omit<ReceivedActivity, 'id' | 'at'>): ReceivedActivity {
    const received: ReceivedActivity = { ...entry, id: `${this.now()}-${++this.sequence}`, at: this.now() };
    this.received.push(received);
    // Bounded: a long `npm start` must not grow without limit.
    if (this.received.length > this.maxRecorded) this.received.splice(0, this.received.length - this.maxRecorded);
    return received;
  }

  /** Received activities, oldest first, optionally of one tenant. */
  activities(tenantId?: string): readonly ReceivedActivity[] {
    return tenantId === undefined ? [...this.received] : this.received.filter((a) => a.tenantId === tenantId);
  }

  clear(): void {
    this.received.length = 0;
  }
}

/**
 * Everything a user would read in an activity: its text and the texts of its Adaptive Cards
 * (TextBlock text, FactSet title/value, action titles), one per line.
 */
export function activityText(activity: Readonly<Record<string, unknown>>): string {
  const texts: string[] = typeof activity['text'] === 'string' ? [activity['text']] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && ['text', 'title', 'value'].includes(key)) texts.push(value);
        else walk(value);
      }
    }
  };
  const attachments = activity['attachments'];
  if (Array.isArray(attachments)) for (const a of attachments) walk((a as { content?: unknown }).content);
  return texts.join('\n');
}
