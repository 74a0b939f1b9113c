import { HealthModel, type HealthTransition } from '../../../src/application/health/health-model.js';
import { ManualTime } from '../fakes/manual-time.js';

/** A tenant taken over from another instance: its health model starts from what the admins were told. */
function newOwner() {
  const time = new ManualTime();
  const health = new HealthModel({ clock: time, scheduler: time }, { alertDebounceMs: 30_000 });
  const transitions: HealthTransition[] = [];
  health.onTransition((t) => transitions.push(t));
  return { time, health, transitions, reporter: health.reporter('t1') };
}

describe('HealthModel after a takeover', () => {
  it('announces the recovery of a component the old owner announced down', async () => {
    const { time, health, transitions, reporter } = newOwner();
    health.remember('t1', new Map([['webhook', 'down']]));
    reporter.success('webhook', 'notifications arrive');
    await time.advance(30_000);
    expect(transitions.map((t) => [t.component, t.from, t.to])).toEqual([['webhook', 'down', 'ok']]);
  });

  it('does not announce again a component still down as the old owner announced it', async () => {
    const { time, health, transitions, reporter } = newOwner();
    health.remember('t1', new Map([['acd.connection', 'down']]));
    reporter.report('acd.connection', 'down', 'CXone unreachable');
    await time.advance(60_000);
    expect(transitions).toEqual([]);
  });

  it('forgets what it announced in an earlier stint as owner', async () => {
    const { time, health, transitions, reporter } = newOwner();
    reporter.success('store');
    reporter.report('store', 'down', 'unreachable');
    await time.advance(30_000);
    expect(transitions).toHaveLength(1);
    // Meanwhile another owner announced the recovery; the store is down again when this one takes over.
    health.remember('t1', new Map([['store', 'ok']]));
    await time.advance(30_000);
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['ok', 'down'],
      ['ok', 'down'],
    ]);
  });

  it('keeps tenants apart: what one tenant was told does not seed another', async () => {
    const { time, health, transitions } = newOwner();
    health.remember('t1', new Map([['webhook', 'down']]));
    health.reporter('t2').success('webhook');
    await time.advance(60_000);
    expect(transitions).toEqual([]);
  });
});
