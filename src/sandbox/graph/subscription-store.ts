import type { EmulatedSubscription } from './subscription-model.js';

/** The emulator's subscriptions; expired ones disappear on the clock (reference §8.7). */
export class SubscriptionStoreEmu {
  readonly #subs = new Map<string, EmulatedSubscription>();
  #onReleased: (id: string) => void = () => undefined;

  onReleased(listener: (id: string) => void): void {
    this.#onReleased = listener;
  }

  add(sub: EmulatedSubscription): void {
    this.#subs.set(sub.id, sub);
  }

  get(id: string, now: number): EmulatedSubscription | undefined {
    const s = this.#subs.get(id);
    if (s && s.expiresAt <= now) {
      this.#subs.delete(id);
      return undefined;
    }
    return s;
  }

  all(now: number): EmulatedSubscription[] {
    for (const s of [...this.#subs.values()]) if (s.expiresAt <= now) this.#subs.delete(s.id);
    return [...this.#subs.values()];
  }

  remove(id: string): boolean {
    return this.#subs.delete(id);
  }

  /** Reauthorized or renewed: held notifications may flow again. */
  released(id: string): void {
    this.#onReleased(id);
  }

  covering(userId: string, now: number): EmulatedSubscription[] {
    return this.all(now).filter((s) => s.userIds.has(userId));
  }
}
