import type { DirectoryProblem } from '../rules/rule-catalog.js';
import type { ExternalFailure } from '../ports.js';

/** One problem of one CSV row (1-based data row; the header is row 0). */
export interface CsvRowProblem {
  readonly row: number;
  readonly column: string;
  readonly code:
    | 'CSV.REQUIRED'
    | 'CSV.UNKNOWN_AGENT'
    | 'CSV.UNKNOWN_USER'
    | 'CSV.DUPLICATE_AGENT'
    | 'CSV.DUPLICATE_USER'
    | 'CSV.USER_LINKED_ELSEWHERE'
    | 'CSV.BAD_ROW';
  readonly message: string;
}

/** Expected failures of the user-mapping use cases; the HTTP adapter maps each code to a status. */
export type UserMappingProblem =
  | DirectoryProblem
  | { readonly code: 'GRAPH.NOT_CONNECTED'; readonly message: string }
  | { readonly code: 'GRAPH.UNAVAILABLE'; readonly message: string; readonly failure: ExternalFailure }
  | { readonly code: 'USER_LINK.AGENT_NOT_FOUND'; readonly message: string }
  | { readonly code: 'USER_LINK.USER_NOT_FOUND'; readonly message: string }
  | { readonly code: 'USER_LINK.USER_ALREADY_LINKED'; readonly message: string }
  | { readonly code: 'USER_LINK.NOT_FOUND'; readonly message: string }
  | { readonly code: 'CSV.MALFORMED'; readonly message: string; readonly line: number }
  | { readonly code: 'CSV.MISSING_COLUMN'; readonly message: string }
  | { readonly code: 'CSV.INVALID_ROWS'; readonly message: string; readonly rows: readonly CsvRowProblem[] };
