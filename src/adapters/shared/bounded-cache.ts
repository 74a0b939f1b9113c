/**
 * A small map bounded in entries, each entry valid until its own deadline, least recently used
 * evicted first. Hand-written rather than `lru-cache`: that package is only a transitive
 * dependency here (v7 hoisted by other packages), and adding v11 beside it would reshuffle the
 * shared node_modules for a dozen lines of Map bookkeeping (Map keeps insertion order).
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly until: number }>();

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  /** The value while `now < until`; an expired entry is dropped. A hit becomes the most recent. */
  get(key: K, now: number): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    this.#entries.delete(key);
    if (now >= e.until) return undefined;
    this.#entries.set(key, e);
    return e.value;
  }

  set(key: K, value: V, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
