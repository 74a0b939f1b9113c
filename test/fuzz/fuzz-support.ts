import { request as httpRequest, type Agent } from 'node:http';
import fc from 'fast-check';

/** One fixed seed for the whole suite (override with FUZZ_SEED to explore); printed with every summary. */
export const SEED = Number(process.env['FUZZ_SEED'] ?? 20261125);

/** Runs per fast-check property; each target sums its properties to ≥ 10 000 inputs. */
export const runs = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: n, endOnFailure: true });

/** Keys that break naive object handling (prototype pollution, shadowed builtins). */
export const nastyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '$ref',
  '',
);

export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\u202Eevil',
    'é'.normalize('NFD'),
    '😀'.repeat(40),
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '../../etc/passwd',
    'NaN',
    'Infinity',
    '-1',
    '1e309',
    '0x10',
    'null',
    'true',
    '{{7*7}}',
    '%00',
  ),
  fc.nat({ max: 4_000 }).map((n) => 'x'.repeat(n)),
  nastyKey,
);

const scalar = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308, -1),
);

/** Any JSON value, with hostile strings and keys (own `__proto__` keys included). */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(nastyString, nastyKey), tie('v')), { maxLength: 4 }).map(ownObject),
  ),
})).v;

/** An object whose keys are all own properties, `__proto__` too (as JSON.parse makes them). */
function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
  return o;
}

/** Paths to every member of a JSON value (objects and arrays). */
function pathsOf(v: unknown, prefix: readonly (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [];
  const own: (string | number)[] = Array.isArray(v) ? Array.from({ length: v.length }, (_, i) => i) : Object.keys(v);
  return own.flatMap((k) => [[...prefix, k], ...pathsOf((v as Record<string | number, unknown>)[k], [...prefix, k])]);
}

type Op = 'delete' | 'replace' | 'pollute' | 'wrap';

function apply(valid: unknown, pick: number, op: Op, value: unknown, key: string): unknown {
  const copy = structuredClone(valid) as Record<string | number, unknown>;
  const paths = pathsOf(copy);
  const path = paths[pick % Math.max(1, paths.length)] ?? [];
  const last = path.at(-1);
  let parent: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  if (last === undefined) return value;
  if (op === 'delete') delete parent[last];
  else if (op === 'replace') parent[last] = value;
  else if (op === 'wrap') parent[last] = [parent[last]];
  else Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** A valid value with one to three members deleted, retyped, wrapped or polluted. */
export function mutated<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  const step = fc.tuple(fc.nat(), fc.constantFrom<Op>('delete', 'replace', 'pollute', 'wrap'), hostileJson, nastyKey);
  return fc
    .tuple(valid, fc.array(step, { minLength: 1, maxLength: 3 }))
    .map(([v, steps]) => steps.reduce<unknown>((acc, [pick, op, value, key]) => apply(acc, pick, op, value, key), v));
}

/** Raw bodies: JSON of hostile values, cut-off JSON, deep nesting, garbage bytes. */
export const hostileText = (valid?: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
    ...(valid
      ? [
          mutated(valid).map((v) => JSON.stringify(v) ?? ''),
          valid.chain((v) => {
            const s = JSON.stringify(v);
            return fc.nat({ max: s.length }).map((n) => s.slice(0, n));
          }),
        ]
      : []),
    fc.integer({ min: 1, max: 4_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 1, max: 2_000 }).map((n) => '{"value":'.repeat(n) + '1' + '}'.repeat(n)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
      '',
      'null',
      '[]',
      '{}',
      '"',
      '{"a":1,}',
      '\uFEFF{}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
    ),
  );

/** Counts and prints one summary line per target. */
export class FuzzTally {
  inputs = 0;
  crashes = 0;
  serverErrors = 0;
  readonly outcomes = new Map<string, number>();

  constructor(readonly target: string) {}

  count(outcome: string): void {
    this.inputs += 1;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  /** An input not sent (e.g. one that turned out to be a legitimate request): listed, not counted. */
  skip(outcome: string): void {
    this.outcomes.set(`skipped:${outcome}`, (this.outcomes.get(`skipped:${outcome}`) ?? 0) + 1);
  }

  summary(): string {
    const top = [...this.outcomes.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}=${n}`)
      .join(' ');
    return `fuzz ${this.target}: ${this.inputs} inputs, ${this.crashes} crashes, ${this.serverErrors} 5xx (seed ${SEED}) [${top}]`;
  }

  print(): void {
    process.stdout.write(`${this.summary()}\n`);
  }
}

/** Nothing got polluted: a fresh object has no unexpected members. */
export const prototypeClean = (): boolean => {
  const probe = {} as Record<string, unknown>;
  return probe['polluted'] === undefined && Object.keys(Object.prototype).length === 0;
};

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

/**
 * One HTTP request. Large uploads go on their own connection: an early answer (413/415/401)
 * closes or resets it, and a pooled client would lose the next request queued on it.
 */
export function httpCall(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  keepAlive: Agent,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // Node sends DELETE/OPTIONS bodies without framing unless told the length.
    const framed = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const large = body !== undefined && body.length > 64 * 1024;
    const req = httpRequest(url, { method, headers: framed, agent: large ? false : keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string | undefined>,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    // The server may answer before reading a large body and close: the answer still counts.
    req.on('error', reject);
    req.end(body);
  });
}
