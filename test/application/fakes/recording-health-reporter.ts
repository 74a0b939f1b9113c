import type { HealthComponent, HealthReporter, HealthStatus } from '../../../src/application/ports.js';

/** Keeps every health signal, for adapter tests that check what they report. */
export class RecordingHealthReporter implements HealthReporter {
  readonly signals: { component: HealthComponent; status: HealthStatus; detail: string; success: boolean }[] = [];

  report(component: HealthComponent, status: HealthStatus, detail: string): void {
    this.signals.push({ component, status, detail, success: false });
  }

  success(component: HealthComponent, detail = 'OK'): void {
    this.signals.push({ component, status: 'ok', detail, success: true });
  }

  /** The last status reported for a component. */
  last(component: HealthComponent): HealthStatus | undefined {
    return this.signals.filter((s) => s.component === component).at(-1)?.status;
  }
}
