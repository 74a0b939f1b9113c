import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const FILE = 'graph-emulator-state.json';
const State = z.object({ presenceGeneration: z.number().int().min(0) });

/**
 * The number of this start of the emulator, kept in `stateDir` (the sandbox's DATA_DIR): each
 * start takes the next one, so presence versions issued after a restart never repeat earlier ones
 * (README "Presence versions"). Without a directory every start is generation 0, as before.
 */
export function nextPresenceGeneration(stateDir: string | undefined): number {
  if (!stateDir) return 0;
  const file = join(stateDir, FILE);
  let previous = -1;
  try {
    previous = State.parse(JSON.parse(readFileSync(file, 'utf8'))).presenceGeneration;
  } catch {
    previous = -1;
  }
  const generation = previous + 1;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ presenceGeneration: generation }), { mode: 0o600 });
  return generation;
}
