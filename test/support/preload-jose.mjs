// See jest.config.js: jose evaluated before any test module links the Agents SDK.
await import('jose');
