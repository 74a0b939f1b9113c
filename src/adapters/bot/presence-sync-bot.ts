import { ActivityHandler, MessageFactory, type TurnContext } from '@microsoft/agents-hosting';
import type { ConversationStore, Logger } from '../../application/ports.js';
import { welcomeCard, type BotLinks } from './bot-cards.js';
import { BotCommandRunner } from './bot-command-runner.js';
import type { BotQueries } from './bot-queries.js';
import { conversationRefOf, includesBot, tenantOf, traceIdOf } from './bot-turn.js';

/** What the bot needs; all of it injected by registerBotRoutes. */
export interface PresenceSyncBotDeps {
  readonly queries: BotQueries;
  readonly conversations: ConversationStore;
  readonly links: BotLinks;
  readonly logger: Logger;
}

/**
 * The Teams bot: greets on install and remembers where it was installed (for proactive
 * alerts), forgets it on uninstall, and answers commands with Adaptive Cards.
 */
export class PresenceSyncBot extends ActivityHandler {
  constructor(private readonly deps: PresenceSyncBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.answer(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.remember(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.forget(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (includesBot(context.activity.membersAdded, context)) await this.greet(context);
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      if (includesBot(context.activity.membersRemoved, context)) await this.forget(context);
      await next();
    });
  }

  private log(context: TurnContext): Logger {
    return this.deps.logger.child({ traceId: traceIdOf(context), conversationId: context.activity.conversation?.id });
  }

  private async answer(context: TurnContext): Promise<void> {
    const text = context.activity.removeRecipientMention() || context.activity.text || '';
    const reply = await new BotCommandRunner({ ...this.deps, logger: this.log(context) }).answer(
      context.activity,
      text,
    );
    await context.sendActivity(reply);
  }

  private async greet(context: TurnContext): Promise<void> {
    await this.remember(context);
    await context.sendActivity(MessageFactory.attachment(welcomeCard(this.deps.links)));
  }

  private async remember(context: TurnContext): Promise<void> {
    const tenant = tenantOf(context.activity);
    if (!tenant.ok) {
      this.log(context).warn({}, 'install without a tenant id: conversation not stored');
      return;
    }
    const ref = conversationRefOf(context, tenant.tenantId);
    await this.deps.conversations.put(ref);
    this.log(context).info({ tenantId: ref.tenantId, scope: ref.scope }, 'bot installed: conversation stored');
  }

  private async forget(context: TurnContext): Promise<void> {
    const tenant = tenantOf(context.activity);
    if (!tenant.ok) return;
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) return;
    await this.deps.conversations.remove(tenant.tenantId, conversationId);
    this.log(context).info({ tenantId: tenant.tenantId }, 'bot uninstalled: conversation forgotten');
  }
}
