/** The domain's public surface: one import path for the application and the tests. */
export * from './access.js';
export * from './agent-state.js';
export * from './decide.js';
export * from './effects.js';
export * from './errors.js';
export * from './manual-status.js';
export * from './match.js';
export * from './presence.js';
export * from './presence-version.js';
export * from './presence-rule.js';
export * from './resolve.js';
export * from './shown-presence.js';
export * from './result.js';
export * from './sync-state.js';
export * from './tenant.js';
export * from './validate-rule.js';
