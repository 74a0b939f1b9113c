import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The tab is served by the backend under /tab/ (restify-static-tab.ts), so assets are built with
 * that base. No React plugin: Vite 8's oxc transform compiles TSX with the automatic runtime.
 */
export default defineConfig({
  root,
  base: '/tab/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // The tab, and the last page of a sign-in popup (auth-end.html: hands the code to the tab).
      input: { main: `${root}index.html`, 'auth-end': `${root}auth-end.html` },
      // Fluent's "use client" markers mean nothing outside a React Server Components bundler.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
  logLevel: 'warn',
});
