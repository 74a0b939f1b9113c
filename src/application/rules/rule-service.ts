import { StoreConflictError, type IdGenerator, type RuleStore, type TenantStore } from '../ports.js';
import type { PresenceRule, PresenceRuleDraft } from '../../domain/presence-rule.js';
import { err, ok, type Result } from '../../domain/result.js';
import { agentsInScope, directoryOf, loadCatalog, type DirectoryFor } from './rule-catalog.js';
import { ruleNotFound, type RuleProblem } from './rule-errors.js';
import type { RuleValidator } from './rule-validator.js';

/** Tells the engine which agents to re-evaluate at once after a rule change. */
export type RulesChangedHook = (tenantId: string, affectedAgentIds: readonly string[]) => void | Promise<void>;

export interface RuleServiceDeps {
  readonly rules: RuleStore;
  readonly tenants: TenantStore;
  readonly directory: DirectoryFor;
  readonly validate: RuleValidator;
  readonly ids: IdGenerator;
  readonly onRulesChanged: RulesChangedHook;
}

/** Who acts on which tenant: every use case is scoped to the caller's tenant. */
export interface Actor {
  readonly tenantId: string;
  /** For the audit log (user object id / name from the SSO token). */
  readonly name: string;
}

/** Presence rule administration: validated against the directory, audited, versioned. */
export class RuleService {
  constructor(private readonly deps: RuleServiceDeps) {}

  list(tenantId: string): Promise<readonly PresenceRule[]> {
    return this.deps.rules.list(tenantId);
  }

  async get(tenantId: string, ruleId: string): Promise<Result<PresenceRule, RuleProblem>> {
    const rule = await this.deps.rules.get(tenantId, ruleId);
    return rule ? ok(rule) : err(ruleNotFound(ruleId));
  }

  async create(actor: Actor, draft: PresenceRuleDraft): Promise<Result<PresenceRule, RuleProblem>> {
    const rule: PresenceRule = { ...draft, id: this.deps.ids.next(), tenantId: actor.tenantId, version: 0 };
    return this.validateAndSave(actor, rule, undefined, undefined);
  }

  async update(
    actor: Actor,
    ruleId: string,
    draft: PresenceRuleDraft,
    expectedVersion: number,
  ): Promise<Result<PresenceRule, RuleProblem>> {
    const before = await this.deps.rules.get(actor.tenantId, ruleId);
    if (!before) return err(ruleNotFound(ruleId));
    if (before.version !== expectedVersion) return err(conflict(ruleId, before.version, expectedVersion));
    return this.validateAndSave(
      actor,
      { ...draft, id: ruleId, tenantId: actor.tenantId, version: before.version },
      before,
      expectedVersion,
    );
  }

  async setEnabled(
    actor: Actor,
    ruleId: string,
    enabled: boolean,
    expectedVersion: number,
  ): Promise<Result<PresenceRule, RuleProblem>> {
    const before = await this.deps.rules.get(actor.tenantId, ruleId);
    if (!before) return err(ruleNotFound(ruleId));
    const { id: _id, tenantId: _t, version: _v, ...draft } = before;
    return this.update(actor, ruleId, { ...draft, enabled }, expectedVersion);
  }

  async delete(actor: Actor, ruleId: string): Promise<Result<PresenceRule, RuleProblem>> {
    const before = await this.deps.rules.get(actor.tenantId, ruleId);
    if (!before || !(await this.deps.rules.delete(actor.tenantId, ruleId, actor.name)))
      return err(ruleNotFound(ruleId));
    await this.notify(actor.tenantId, [before]);
    return ok(before);
  }

  private async validateAndSave(
    actor: Actor,
    rule: PresenceRule,
    before: PresenceRule | undefined,
    expectedVersion: number | undefined,
  ): Promise<Result<PresenceRule, RuleProblem>> {
    const directory = await directoryOf(this.deps.directory, actor.tenantId);
    if (!directory.ok) return directory;
    const others = (await this.deps.rules.list(actor.tenantId)).filter((r) => r.id !== rule.id);
    const platform = (await this.deps.tenants.get(actor.tenantId))?.partnerPlatform ?? 'msteams';
    const catalog = await loadCatalog(directory.value, others, platform);
    if (!catalog.ok) return catalog;
    const { id: _id, tenantId: _t, version: _v, ...draft } = rule;
    const valid = this.deps.validate(draft, catalog.value);
    if (!valid.ok)
      return err({
        code: 'RULE.INVALID',
        message: `The rule has ${valid.error.length} problem(s).`,
        problems: valid.error,
      });
    const saved = await this.save({ ...rule, ...valid.value }, actor.name, expectedVersion);
    if (!saved.ok) return saved;
    await this.notify(actor.tenantId, before ? [before, saved.value] : [saved.value]);
    return saved;
  }

  private async save(
    rule: PresenceRule,
    actor: string,
    expectedVersion: number | undefined,
  ): Promise<Result<PresenceRule, RuleProblem>> {
    try {
      return ok(await this.deps.rules.save(rule, actor, expectedVersion));
    } catch (e) {
      if (e instanceof StoreConflictError) return err({ code: 'RULE.VERSION_CONFLICT', message: e.message });
      throw e;
    }
  }

  /** Old and new scope: agents leaving a rule need re-evaluation as much as those joining it. */
  private async notify(tenantId: string, rules: readonly PresenceRule[]): Promise<void> {
    const directory = await this.deps.directory(tenantId);
    const agents = directory ? await directory.listAgents() : undefined;
    const known = agents?.ok ? agents.value : [];
    const affected = new Set(rules.flatMap((r) => agentsInScope(r, known)));
    await this.deps.onRulesChanged(tenantId, [...affected].sort());
  }
}

const conflict = (ruleId: string, current: number, expected: number): RuleProblem => ({
  code: 'RULE.VERSION_CONFLICT',
  message: `Rule ${ruleId} is at version ${current}, not ${expected}: someone changed it meanwhile. Reload and edit again.`,
});
