/**
 * Graph's presence `sequenceNumber` (reference graph-presence.md §1.1): "the lexicographically
 * sortable String stamp that represents the version of a presence object". Microsoft's only
 * published value is "A0129311063" (a letter and a zero-padded counter). A stamp arrives with
 * every notification, and a rich notification can be forged by whoever holds a leaked
 * clientState and a captured validation token, so a stamp orders versions only when it is
 * plausible: letters (at most 8) and then a counter (1 to 40 digits), compared only with a stamp
 * of the same shape (the same letters, the same number of digits), where string order is the
 * counter's order. Anything else (a stamp of another shape, or none) is ordered by when it was
 * observed. A forged "Z99999999999" against a stored "A0129311063" therefore orders nothing.
 */
const STAMP = /^([A-Za-z]{0,8})([0-9]{1,40})$/;

function shapeOf(stamp: string): string | null {
  const m = STAMP.exec(stamp);
  return m ? `${m[1]}:${m[2]!.length}` : null;
}

/** Whether two stamps can be ordered against each other (both plausible, the same shape). */
export function comparableVersions(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const shape = shapeOf(a);
  return shape !== null && shape === shapeOf(b);
}
