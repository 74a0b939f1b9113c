import type { Activity } from '@microsoft/agents-activity';
import { MessageFactory } from '@microsoft/agents-hosting';
import type { Logger } from '../../application/ports.js';
import { BotLinks, healthCard, helpCard, rulesCard, statusCard, traceCard } from './bot-cards.js';
import { commandInfo, parseCommand, type BotCommandInfo, type ParsedCommand } from './bot-commands.js';
import type { BotQueries } from './bot-queries.js';
import { tenantOf } from './bot-turn.js';

/** How many hops `trace` shows; the Log Reader has the rest. */
const TRACE_HOPS_SHOWN = 8;

type Reply = Activity;
type Access = { ok: true; tenantId: string } | { ok: false; reply: Reply };

/**
 * Answers one typed command: checks who may see it (tenant data only to that tenant's users,
 * admin commands only to admins), asks BotQueries, and renders the card.
 */
export class BotCommandRunner {
  constructor(
    private readonly deps: { readonly queries: BotQueries; readonly links: BotLinks; readonly logger: Logger },
  ) {}

  async answer(activity: Partial<Activity>, text: string): Promise<Reply> {
    const command = parseCommand(text);
    this.deps.logger.info({ command: command.kind, conversationId: activity.conversation?.id }, 'bot command');
    switch (command.kind) {
      case 'help':
        return MessageFactory.attachment(helpCard(this.deps.links));
      case 'unknown':
        return MessageFactory.attachment(
          helpCard(this.deps.links, command.text ? `I did not understand "${command.text}".` : ''),
        );
      case 'usage':
        return MessageFactory.text(`Usage: \`${command.command.usage}\``);
      default:
        return this.guarded(activity, command);
    }
  }

  private async guarded(
    activity: Partial<Activity>,
    command: Exclude<ParsedCommand, { kind: 'help' | 'unknown' | 'usage' }>,
  ): Promise<Reply> {
    const access = await this.access(activity, commandInfo(command.kind));
    if (!access.ok) return access.reply;
    const { queries, links } = this.deps;
    const tenantId = access.tenantId;
    switch (command.kind) {
      case 'health':
        return MessageFactory.attachment(healthCard(await queries.health(tenantId), links));
      case 'rules':
        return MessageFactory.attachment(rulesCard(await queries.rules(tenantId), links));
      case 'status': {
        const view = await queries.agentStatus(tenantId, command.argument);
        return view ? MessageFactory.attachment(statusCard(view, links)) : notFound(command.argument);
      }
      case 'trace':
        return this.trace(tenantId, command.argument);
    }
  }

  private async trace(tenantId: string, argument: string): Promise<Reply> {
    // An id or e-mail, resolved as `status` does: an agent nobody knows is said so, not an empty card.
    const agentId = (await this.deps.queries.agentStatus(tenantId, argument))?.agentId;
    if (agentId === undefined) return notFound(argument);
    const hops = await this.deps.queries.lastHops(tenantId, agentId, TRACE_HOPS_SHOWN);
    return MessageFactory.attachment(traceCard(agentId, hops, this.deps.links));
  }

  /** The tab's rule for the same data: no role, nothing of the tenant; support reads, admins also rules. */
  private async access(activity: Partial<Activity>, command: BotCommandInfo): Promise<Access> {
    const tenant = tenantOf(activity);
    const userId = activity.from?.aadObjectId;
    if (!tenant.ok || !userId || !(await this.deps.queries.isKnownTenant(tenant.tenantId))) {
      return deny(
        'Presence Sync is not connected for your organisation, so I have nothing to show. An admin can connect it in the Presence Sync tab.',
      );
    }
    const role = await this.deps.queries.roleOf(tenant.tenantId, userId);
    if (role === 'member')
      return deny(
        'Your account has no Presence Sync role in this organisation. Ask your Teams admin to assign you Presence Sync Admin or Presence Sync Support.',
      );
    if (command.access === 'admin' && role !== 'admin')
      return deny(
        `Only Presence Sync admins can use \`${command.name}\`; support staff can use \`health\`, \`status\` and \`trace\`.`,
      );
    return { ok: true, tenantId: tenant.tenantId };
  }
}

const deny = (message: string): Access => ({ ok: false, reply: MessageFactory.text(message) });
const notFound = (argument: string): Reply =>
  MessageFactory.text(`I do not know an agent "${argument}" in your organisation.`);
