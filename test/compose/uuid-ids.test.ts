import { describe, expect, it } from '@jest/globals';
import { uuidIds } from '../../src/compose/sync-runtime.js';

describe('the ids of Log Reader lines, traces and events', () => {
  it('are distinct random (version 4) UUIDs, as randomUUID() makes them', () => {
    const ids = Array.from({ length: 1000 }, () => uuidIds.next());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
