import { err, ok, type Result } from '../../domain/result.js';

export interface CsvError {
  readonly code: 'CSV.UNTERMINATED_QUOTE' | 'CSV.STRAY_QUOTE';
  readonly message: string;
  /** 1-based line where the problem starts. */
  readonly line: number;
}

interface Cursor {
  readonly text: string;
  pos: number;
  line: number;
}

/** One quoted field, starting at the opening quote; `""` inside is a literal quote (RFC 4180). */
function quoted(c: Cursor): Result<string, CsvError> {
  const startLine = c.line;
  let value = '';
  c.pos += 1;
  for (;;) {
    const next = c.text.indexOf('"', c.pos);
    if (next < 0)
      return err({ code: 'CSV.UNTERMINATED_QUOTE', message: 'A quoted field is never closed.', line: startLine });
    value += c.text.slice(c.pos, next);
    c.line += (c.text.slice(c.pos, next).match(/\n/g) ?? []).length;
    c.pos = next + 1;
    if (c.text[c.pos] !== '"') return ok(value);
    value += '"';
    c.pos += 1;
  }
}

function plain(c: Cursor): Result<string, CsvError> {
  const rest = /^[^,\r\n]*/.exec(c.text.slice(c.pos))?.[0] ?? '';
  if (rest.includes('"'))
    return err({
      code: 'CSV.STRAY_QUOTE',
      message: 'A quote appears inside an unquoted field; quote the whole field.',
      line: c.line,
    });
  c.pos += rest.length;
  return ok(rest);
}

/**
 * RFC 4180 CSV: comma separator, CRLF or LF line ends, quoted fields with doubled quotes and
 * embedded newlines, an optional UTF-8 BOM (Excel writes one). Blank lines are skipped.
 */
export function parseCsv(input: string): Result<string[][], CsvError> {
  const c: Cursor = { text: input.replace(/^\uFEFF/, ''), pos: 0, line: 1 };
  const rows: string[][] = [];
  let row: string[] = [];
  while (c.pos <= c.text.length) {
    const field = c.text[c.pos] === '"' ? quoted(c) : plain(c);
    if (!field.ok) return field;
    row.push(field.value);
    const ch = c.text[c.pos];
    if (ch === ',') {
      c.pos += 1;
      continue;
    }
    if (ch !== undefined && ch !== '\r' && ch !== '\n')
      return err({
        code: 'CSV.STRAY_QUOTE',
        message: 'Text follows a closing quote; separate fields with commas.',
        line: c.line,
      });
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    c.pos += ch === '\r' && c.text[c.pos + 1] === '\n' ? 2 : 1;
    c.line += 1;
    if (ch === undefined) break;
  }
  return ok(rows);
}

const needsQuotes = /[",\r\n]|^\s|\s$/;
/**
 * Cells a spreadsheet would run as a formula (CSV injection, OWASP). Every column is neutralised:
 * names and e-mails come from CXone and Entra, where anyone who can edit a profile can write `=…`.
 */
const formulaStart = /^'*[=+\-@\t\r]/;
/**
 * The apostrophe `csvCell` put in front, so an exported file imports back unchanged. Values that
 * already start with apostrophes before a formula character get one more, which keeps this a bijection.
 */
const neutralised = /^'(?='*[=+\-@\t\r])/;

export function csvCell(value: string): string {
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A cell as written by `csvCell`, back to its value. */
export const csvValue = (cell: string): string => cell.replace(neutralised, '');

export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => cells.map(csvCell).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}
