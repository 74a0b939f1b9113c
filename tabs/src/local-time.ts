/**
 * Times as the reader's clock shows them, with the zone, so support staff in different places
 * (and the engineer reading a screenshot later) know which instant is meant.
 */
export const since = (at: number): string =>
  new Date(at).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });

/** A hop's time of day to the millisecond (hops of one flow are milliseconds apart), with the zone. */
export const clockTime = (at: number): string =>
  new Date(at).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
