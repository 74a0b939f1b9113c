import type { ExternalFailure } from '../../application/ports.js';
import { ok, type Result } from '../../domain/result.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import { agentStatesPageSchema, type AgentStatesPage, type RtdAgentState } from './cxone-schemas.js';

/** All pages of one `agents/states` read, with the cursor for the next one. */
export interface AgentStatesRead {
  readonly records: RtdAgentState[];
  readonly lastPollTime?: string;
}

/**
 * Reads `GET /agents/states` (reference §2.1) following `_links.next` (or skip/top when a server
 * gives no link). `undefined` = 204/304 "no change". The cursor is the FIRST page's lastPollTime:
 * changes made while later pages were read are then read again next time, never skipped. Older
 * versions put lastPollTime on each record instead (§2.1); the earliest one is used then.
 */
export async function fetchAgentStates(api: CxoneApiClient, since: string | undefined, pageSize: number): Promise<Result<AgentStatesRead | undefined, ExternalFailure>> {
  const records: RtdAgentState[] = [];
  let lastPollTime: string | undefined;
  let next: string | undefined = '/agents/states';
  let query: Record<string, string> = { top: String(pageSize), ...(since ? { updatedSince: since } : {}) };
  while (next) {
    const page: Result<AgentStatesPage | undefined, ExternalFailure> = await api.get(next, agentStatesPageSchema, query);
    if (!page.ok) return page;
    if (!page.value) return records.length ? ok({ records, ...(lastPollTime ? { lastPollTime } : {}) }) : ok(undefined);
    lastPollTime ??= page.value.lastPollTime ?? earliest(page.value.agentStates.map((r) => r.lastPollTime));
    records.push(...page.value.agentStates);
    const more: boolean = page.value.totalRecords !== undefined && records.length < page.value.totalRecords && page.value.agentStates.length > 0;
    next = page.value._links?.next ?? (more ? '/agents/states' : undefined);
    query = page.value._links?.next ? {} : { top: String(pageSize), skip: String(records.length), ...(since ? { updatedSince: since } : {}) };
  }
  return ok({ records, ...(lastPollTime ? { lastPollTime } : {}) });
}

function earliest(times: readonly (string | undefined)[]): string | undefined {
  const defined = times.filter((t): t is string => t !== undefined);
  return defined.length ? defined.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : undefined;
}
