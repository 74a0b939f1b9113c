/**
 * The bot's command vocabulary: what the user types, who may use it, and how the text parses.
 * The manifest's commandLists repeat `name` and `description` (a test keeps them in step).
 */
export interface BotCommandInfo {
  readonly name: BotCommandName;
  readonly usage: string;
  readonly description: string;
  /**
   * Who may run it, as the tab decides for the same data: anyone; `read` = a Presence Sync admin
   * or support user (the tab's Health Check and Log Reader); `admin` = an admin (the tab's Rules).
   */
  readonly access: 'anyone' | 'read' | 'admin';
}

export type BotCommandName = 'help' | 'health' | 'status' | 'trace' | 'rules';

export const BOT_COMMANDS: readonly BotCommandInfo[] = Object.freeze([
  { name: 'help', usage: 'help', description: 'What I can do', access: 'anyone' },
  { name: 'health', usage: 'health', description: 'Every component and its status', access: 'read' },
  {
    name: 'status',
    usage: 'status <agent id | e-mail>',
    description: "An agent's ACD state, Teams presence and rule",
    access: 'read',
  },
  {
    name: 'trace',
    usage: 'trace <agent id | e-mail>',
    description: "The last hops of an agent's flow",
    access: 'read',
  },
  { name: 'rules', usage: 'rules', description: 'A summary of the presence rules', access: 'admin' },
]);

export type ParsedCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'health' }
  | { readonly kind: 'rules' }
  | { readonly kind: 'status' | 'trace'; readonly argument: string }
  /** A known command without its required argument. */
  | { readonly kind: 'usage'; readonly command: BotCommandInfo }
  | { readonly kind: 'unknown'; readonly text: string };

const MENTION = /<at>[^<]*<\/at>/gi;

/** Parses what the user typed (mentions already stripped or not); never throws. */
export function parseCommand(input: string): ParsedCommand {
  const text = input.replace(MENTION, ' ').replace(/\s+/g, ' ').trim();
  const [head = '', ...rest] = text.split(' ');
  const word = head.toLowerCase().replace(/^\//, '');
  const argument = rest.join(' ').trim();
  switch (word) {
    case 'help':
    case 'health':
    case 'rules':
      return { kind: word };
    case 'status':
    case 'trace':
      return argument ? { kind: word, argument } : { kind: 'usage', command: commandInfo(word) };
    default:
      return { kind: 'unknown', text };
  }
}

export function commandInfo(name: BotCommandName): BotCommandInfo {
  const info = BOT_COMMANDS.find((c) => c.name === name);
  if (!info) throw new Error(`unknown bot command ${name}`);
  return info;
}
