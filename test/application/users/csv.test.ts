import fc from 'fast-check';
import { csvCell, csvValue, formatCsv, parseCsv } from '../../../src/application/users/csv.js';

const rows = (text: string) => {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseCsv (RFC 4180)', () => {
  it.each([
    [
      'plain rows, LF',
      'a,b\n1,2\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'CRLF and no final newline',
      'a,b\r\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'quoted comma, quote and newline',
      'a,b\r\n"x, y","say ""hi""\nthere"\r\n',
      [
        ['a', 'b'],
        ['x, y', 'say "hi"\nthere'],
      ],
    ],
    [
      'empty cells',
      'a,,c\n,,\n',
      [
        ['a', '', 'c'],
        ['', '', ''],
      ],
    ],
    ['a UTF-8 BOM (Excel)', '\uFEFFagentId\n1\n', [['agentId'], ['1']]],
    ['blank lines', 'a\n\n\nb\n', [['a'], ['b']]],
    ['empty input', '', []],
  ])('reads %s', (_what, text, expected) => {
    expect(rows(text)).toEqual(expected);
  });

  it.each([
    ['an unterminated quote', 'a,b\n"x,y\n', 'CSV.UNTERMINATED_QUOTE', 2],
    ['a quote inside an unquoted field', 'a,b\nx"y,z\n', 'CSV.STRAY_QUOTE', 2],
    ['text after a closing quote', 'a\n"x"y\n', 'CSV.STRAY_QUOTE', 2],
  ])('refuses %s with its line', (_what, text, code, line) => {
    expect(parseCsv(text)).toEqual({ ok: false, error: expect.objectContaining({ code, line }) });
  });
});

describe('formatCsv', () => {
  it('quotes only when needed and neutralises a formula in any cell', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(formatCsv(['h1', 'h2'], [['1', '2']])).toBe('h1,h2\r\n1,2\r\n');
  });

  it('reads a neutralised cell back as its value, and leaves a plain leading apostrophe alone', () => {
    expect(csvValue("'=1+1")).toBe('=1+1');
    expect(csvValue("'-5")).toBe('-5');
    expect(csvValue("'quoted")).toBe("'quoted");
  });

  it('round-trips any table of printable cells, formula-like ones included', () => {
    const unit = fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', 'é', '1', '=', '-', '@', "'");
    const cell = fc.string({ unit, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 6 }), (table) => {
        const body = table.filter((r) => !(r.length === 1 && r[0] === ''));
        const back = rows(formatCsv(['h1', 'h2'], body)).map((r) => r.map(csvValue));
        expect(back).toEqual([['h1', 'h2'], ...body]);
      }),
      { numRuns: 300 },
    );
  });
});
