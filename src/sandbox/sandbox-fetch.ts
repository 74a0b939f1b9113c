import type { fetch } from 'undici';

/**
 * The fetch the sandbox is handed by the composition root (the product's transport, which
 * trusts the sandbox CA): the sandbox reaches the product and the emulators only over HTTP.
 */
export type SandboxFetch = (url: string, init?: Parameters<typeof fetch>[1]) => ReturnType<typeof fetch>;
