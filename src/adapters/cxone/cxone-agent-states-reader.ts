import type { ExternalFailure } from '../../application/ports.js';
import { ok, type Result } from '../../domain/result.js';
import { httpFailure } from '../shared/external-failure.js';
import type { CxoneApiClient } from './cxone-api-client.js';
import {
  agentStatesPageSchema,
  type AgentStatesPage,
  type RejectedAgentState,
  type RtdAgentState,
} from './cxone-schemas.js';

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
export async function fetchAgentStates(
  api: CxoneApiClient,
  since: string | undefined,
  pageSize: number,
): Promise<Result<AgentStatesRead | undefined, ExternalFailure>> {
  const records: RtdAgentState[] = [];
  let lastPollTime: string | undefined;
  let read = 0;
  let next: string | undefined = '/agents/states';
  let query: Record<string, string> = { top: String(pageSize), ...(since ? { updatedSince: since } : {}) };
  while (next) {
    const page: Result<AgentStatesPage | undefined, ExternalFailure> = await api.get(
      next,
      agentStatesPageSchema,
      query,
    );
    if (!page.ok) return page;
    if (!page.value) return records.length ? ok({ records, ...(lastPollTime ? { lastPollTime } : {}) }) : ok(undefined);
    if (page.value.rejectedAgentStates.length > 0) api.reportBadShape(rejectedRecords(page.value.rejectedAgentStates));
    lastPollTime ??= page.value.lastPollTime ?? earliest(page.value.agentStates.map((r) => r.lastPollTime));
    records.push(...page.value.agentStates);
    // Paging counts every record CXone sent, skipped unreadable ones included.
    const onPage: number = page.value.agentStates.length + page.value.rejectedAgentStates.length;
    read += onPage;
    const more: boolean = page.value.totalRecords !== undefined && read < page.value.totalRecords && onPage > 0;
    next = page.value._links?.next ?? (more ? '/agents/states' : undefined);
    query = page.value._links?.next
      ? {}
      : { top: String(pageSize), skip: String(read), ...(since ? { updatedSince: since } : {}) };
  }
  return ok({ records, ...(lastPollTime ? { lastPollTime } : {}) });
}

/** One signal per page for its skipped records, naming each (agentId when known) and why. */
export function rejectedRecords(rejected: readonly RejectedAgentState[]): ExternalFailure {
  const shown = rejected
    .slice(0, 5)
    .map((r) => `#${r.index}${r.agentId !== undefined ? ` (agent ${r.agentId})` : ''} ${r.reason}`);
  const more = rejected.length > shown.length ? `; and ${rejected.length - shown.length} more` : '';
  return httpFailure(
    'cxone',
    200,
    'BAD_RECORD',
    `Skipped ${rejected.length} unreadable CXone agent state record(s): ${shown.join('; ')}${more}.`,
  );
}

function earliest(times: readonly (string | undefined)[]): string | undefined {
  const defined = times.filter((t): t is string => t !== undefined);
  return defined.length ? defined.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : undefined;
}
