/**
 * The emulators' logs of what they served (tests count writes and deliveries in them) keep the
 * newest `cap` entries. Unbounded, they grew for as long as an emulator ran, and the sandbox and
 * the soak run the emulators for hours inside the measured process.
 */
export const DEFAULT_EMULATOR_LOG_CAP = 100_000;

/**
 * Appends and, past the cap by a tenth, drops the oldest down to the cap: trimming on every
 * append at the cap would move the whole array each time. Indexes taken earlier shift when it
 * trims; a test that slices from a remembered length stays well under the cap.
 */
export function appendCapped<T>(log: T[], entry: T, cap: number): void {
  log.push(entry);
  if (log.length > cap + Math.ceil(cap / 10)) log.splice(0, log.length - cap);
}
