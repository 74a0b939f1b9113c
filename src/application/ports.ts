/**
 * The ports the application needs; adapters implement them and only src/compose.ts wires them.
 */
export type * from './ports/runtime.js';
export type * from './ports/acd.js';
export type * from './ports/presence.js';
export type * from './ports/store.js';
export { StoreConflictError, TRACE_HOPS } from './ports/store.js';
export type * from './ports/engine.js';
export type * from './ports/onboarding.js';
export { HEALTH_COMPONENTS } from './ports/engine.js';
export type * from './ports/webhook.js';
export type * from './ports/identity.js';
