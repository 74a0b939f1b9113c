/**
 * Child process of the RSS benchmark (fresh heap): loads N agents into the engine on the SQLite
 * store, lets every agent go through a call (state rows written, engine idle but running), then
 * forces GC and prints process.memoryUsage() as one JSON line. Run with --expose-gc.
 */
import { acd } from '../domain/builders.js';
import { sleep } from './bench-kit.js';
import { createEngineRig } from './engine-rig.js';

const agents = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await sleep(100);
  }
  return process.memoryUsage();
}

const baseline = await settle();
const rig = await createEngineRig(agents, 'sqlite');
await rig.send(rig.agentIds.map((a) => rig.event(a, acd.contact())));
await rig.drain(agents);
await rig.send(rig.agentIds.map((a) => rig.event(a, acd.available())));
await rig.drain(2 * agents);
// Steady state: the Log Reader rows of the burst are written (up to 50k wait in memory while it lasts).
await rig.settle();
// The bench's own bookkeeping (write log, send times) is not the product's: drop it before measuring.
rig.writes.length = 0;
rig.sentAt.clear();
const loaded = await settle();
process.stdout.write(`${JSON.stringify({ agents, gcExposed: gc !== undefined, baseline, loaded })}\n`);
await rig.close();
process.exit(0);
