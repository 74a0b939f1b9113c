import type { AcdGateway, AcdWriteOutcome, AcdWriteRefusal, ExternalFailure, Logger } from '../../application/ports.js';
import { CONTACT_STATES } from '../../domain/agent-state.js';
import { err, ok, type Result } from '../../domain/result.js';
import type { AcdTarget } from '../../domain/sync-state.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import { rejectedRecords } from './cxone-agent-states-reader.js';
import { agentStatesPageSchema, type RtdAgentState } from './cxone-schemas.js';

/**
 * A 403 is the API user's security profile, not a sign-in problem: say so in the words an admin
 * acts on (the Health Check and the Log Reader show this message).
 */
function permissionDenied(f: ExternalFailure): ExternalFailure {
  const said = f.message && !f.message.startsWith('CXone answered') ? ` CXone said: ${f.message}` : '';
  return {
    ...f,
    code: 'PERMISSION_DENIED',
    message: `CXone denied permission (HTTP 403): the API user's security profile does not allow changing agent states.${said}`,
  };
}
/**
 * A timeout, a cut connection or a 5xx can come after CXone carried the write out (a gateway timing
 * out on a slow backend); a 4xx or 429 cannot.
 */
const mayHaveLanded = (f: ExternalFailure): boolean => f.status === 0 || f.status >= 500;

/**
 * Subscriber writes: `POST /agents/{agentId}/state` `{state, outStateId}` (reference §4, Admin API).
 * CXone answers an empty success either way, so the agent's state is read back: still on a
 * contact means the request became the next state (`queued`). When the answer is lost (timeout,
 * reset, 5xx) the state is read back first, so the engine's retry happens only if the write did not
 * land: a lost answer costs one read, never a second write.
 */
export class CxoneAgentStateGateway implements AcdGateway {
  constructor(
    private readonly api: CxoneApiClient,
    private readonly logger: Logger,
  ) {}

  async setAgentState(agentId: string, target: AcdTarget): Promise<Result<AcdWriteOutcome, AcdWriteRefusal>> {
    const body =
      target.kind === 'Available'
        ? { state: 'Available' }
        : { state: 'Unavailable', outStateId: Number(target.codeId) };
    const r = await this.api.post(`/agents/${encodeURIComponent(agentId)}/state`, body);
    if (!r.ok && mayHaveLanded(r.error) && (await this.alreadyIn(agentId, target))) {
      // The answer was lost, not the write: retrying would write the same change a second time.
      this.logger.info(
        { agentId, target: target.kind, status: r.error.status, code: r.error.code, requestId: r.error.requestId },
        'cxone state write answer lost, but the agent is in the target state: not retried',
      );
      return ok('confirmed');
    }
    if (!r.ok) {
      const refusal = await this.refusalOf(agentId, target, r.error);
      this.logger.info(
        { agentId, target: target.kind, code: refusal.code, requestId: r.error.requestId },
        'cxone refused the state change',
      );
      return err(refusal);
    }
    return ok(await this.outcome(agentId));
  }

  /**
   * CXone's refusals (reference §4) as the engine decides on them, by HTTP status alone: NICE
   * documents no error names (only the 409 of an ACW code without a contact), and a body may be
   * any shape or none. A 400 or 409 is read back once: a logged-out agent explains either.
   */
  private async refusalOf(agentId: string, target: AcdTarget, f: ExternalFailure): Promise<AcdWriteRefusal> {
    const message = f.message;
    if (f.status === 404) return { code: 'AGENT_NOT_FOUND', message };
    if (f.status === 403) {
      const failure = permissionDenied(f);
      return { code: 'EXTERNAL', failure, message: failure.message };
    }
    if (f.status !== 400 && f.status !== 409) return { code: 'EXTERNAL', failure: f, message };
    if ((await this.current(agentId))?.stateName === 'LoggedOut') return { code: 'AGENT_LOGGED_OUT', message };
    if (f.status === 409) return { code: 'ACW_WITHOUT_CONTACT', message };
    if (target.kind === 'Unavailable') return { code: 'CODE_NOT_ON_TEAM', message };
    return { code: 'EXTERNAL', failure: f, message };
  }

  private async current(agentId: string): Promise<RtdAgentState | undefined> {
    const r = await this.api.get(`/agents/${encodeURIComponent(agentId)}/states`, agentStatesPageSchema);
    return r.ok ? r.value?.agentStates[0] : undefined;
  }

  /** Read back after an unknown outcome: is the agent already in the state we asked for? */
  private async alreadyIn(agentId: string, target: AcdTarget): Promise<boolean> {
    const now = await this.current(agentId);
    if (!now || now.stateName !== target.kind) return false;
    return target.kind === 'Available' || String(now.outStateId) === target.codeId;
  }

  private async outcome(agentId: string): Promise<AcdWriteOutcome> {
    const r = await this.api.get(`/agents/${encodeURIComponent(agentId)}/states`, agentStatesPageSchema);
    if (r.ok && r.value && r.value.rejectedAgentStates.length > 0)
      this.api.reportBadShape(rejectedRecords(r.value.rejectedAgentStates));
    const state = r.ok ? r.value?.agentStates[0]?.stateName : undefined;
    if (state === undefined) this.logger.warn({ agentId }, 'state written but not read back; reporting applied');
    return state !== undefined && (CONTACT_STATES as readonly string[]).includes(state) ? 'queued' : 'applied';
  }
}
