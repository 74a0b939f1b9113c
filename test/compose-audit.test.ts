import type { Logger } from '../src/application/ports.js';
import { logAudit } from '../src/compose/tab-api.js';

describe('the tab API audit recorder of the composition root', () => {
  it('writes each settings/connection change as a structured audit line (tenant, actor, action, entity, before/after)', async () => {
    const lines: { bindings: Record<string, unknown>; obj: unknown; msg: string }[] = [];
    const logger = (bindings: Record<string, unknown>): Logger =>
      ({
        child: (b: Record<string, unknown>) => logger({ ...bindings, ...b }),
        info: (obj: unknown, msg: string) => void lines.push({ bindings, obj, msg }),
        warn: () => undefined,
        error: () => undefined,
        debug: () => undefined,
      }) as unknown as Logger;
    const entry = {
      tenantId: 't1',
      at: 1_800_000_000_000,
      actor: 'Ada Admin',
      action: 'settings.update',
      entity: 'settings',
      entityId: 't1',
      before: { reconcileIntervalMs: 300_000 },
      after: { reconcileIntervalMs: 60_000 },
    };
    await logAudit(logger({}))(entry);
    expect(lines).toEqual([
      {
        bindings: { component: 'audit' },
        obj: { audit: entry },
        msg: 'audit settings.update settings t1 by Ada Admin',
      },
    ]);
  });
});
