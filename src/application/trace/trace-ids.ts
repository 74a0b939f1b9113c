/**
 * Trace agent id for a Teams user with no linked ACD agent: their notifications are traced and
 * dropped, and the Log Reader still finds them by Teams user id.
 */
export const unlinkedTraceAgentId = (teamsUserId: string): string => `teams:${teamsUserId}`;

/** One trace per flow: the event that started it names it (ids are unique per tenant). */
export const traceIdOf = (eventId: string): string => eventId;
