import SqliteDatabase from 'better-sqlite3';
import { withStatementCache } from '../../../src/adapters/store/sqlite-statement-cache.js';

describe('prepared statements kept by SQL text (embedded SQLite)', () => {
  let raw: SqliteDatabase.Database;
  beforeEach(() => {
    raw = new SqliteDatabase(':memory:');
    raw.exec('create table t (n integer)');
  });
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it('the same SQL gets the same prepared statement, and it still runs with new parameters', () => {
    const db = withStatementCache(raw);
    const insert = db.prepare('insert into t (n) values (?)');
    expect(db.prepare('insert into t (n) values (?)')).toBe(insert);
    insert.run([1]);
    db.prepare('insert into t (n) values (?)').run([2]);
    expect(db.prepare('select n from t order by n').all([])).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a statement still being iterated (a streamed select) is not handed out again', () => {
    const db = withStatementCache(raw);
    db.prepare('insert into t (n) values (1), (2), (3)').run([]);
    const select = db.prepare('select n from t order by n');
    const outer = select.iterate([]);
    expect(outer.next().value).toEqual({ n: 1 });
    const inner = db.prepare('select n from t order by n');
    expect(inner).not.toBe(select);
    expect(inner.all([])).toHaveLength(3);
    expect([...outer]).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('keeps a bounded number of statements: a long-running store does not grow without end', () => {
    const db = withStatementCache(raw);
    const first = db.prepare('select 0 as n');
    for (let i = 1; i <= 300; i += 1) db.prepare(`select ${i} as n`);
    expect(db.prepare('select 0 as n')).not.toBe(first);
    expect(db.prepare('select 300 as n').all([])).toEqual([{ n: 300 }]);
  });

  it('close closes the database', () => {
    withStatementCache(raw).close();
    expect(raw.open).toBe(false);
  });
});
