import tseslint from 'typescript-eslint';

/**
 * The dependency direction of design.md §4 as lint rules: the domain is pure (nothing of ours
 * outside it, no Node built-ins that do I/O), the application sees the domain and its own ports
 * but no SDK and no adapter; only src/compose.ts may know every adapter.
 */
const nodeIo = [
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'tls',
  'process',
  'os',
  'readline',
  'stream',
];
const ioBuiltins = nodeIo.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);
const sdks = [
  'botbuilder*',
  'restify*',
  '@microsoft/*',
  '@azure/*',
  'kysely*',
  'better-sqlite3',
  'pg',
  'pino*',
  'undici',
  'prom-client',
  'jose',
  'adaptivecards*',
];

const adapterFolders = ['bot', 'cxone', 'graph', 'http', 'store'];
const onlyBotImportsBotbuilder = {
  group: ['botbuilder*', '@microsoft/teamsfx*'],
  message: 'Only src/adapters/bot imports botbuilder / teamsfx (design.md §5).',
};
const noCompositionRoot = {
  group: ['**/compose*', '**/main*'],
  message: 'Adapters do not import the composition root.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'tabs/dist/',
      'appPackage/build/',
      'coverage/',
      'bench/results/',
      'data/',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/application/**', '**/adapters/**', '**/sandbox/**', '**/compose*', '**/config*', '**/main*'],
              message: 'src/domain is pure: it imports nothing outside src/domain.',
            },
            { group: ioBuiltins, message: 'src/domain does no I/O.' },
            { group: [...sdks, 'zod'], message: 'src/domain uses no SDK.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'src/domain does no I/O.' },
        { name: 'setTimeout', message: 'src/domain has no timers; time comes in as data.' },
        { name: 'setInterval', message: 'src/domain has no timers.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/domain reads no clock; time comes in as data.' },
        { object: 'Math', property: 'random', message: 'src/domain takes randomness as input.' },
      ],
    },
  },
  {
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/sandbox/**', '**/compose*', '**/main*'],
              message: 'src/application depends on ports, not adapters.',
            },
            { group: sdks, message: 'src/application imports no SDK: put it behind a port in src/adapters.' },
          ],
        },
      ],
    },
  },
  ...adapterFolders.map((folder) => ({
    files: [`src/adapters/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(folder === 'bot' ? [] : [onlyBotImportsBotbuilder]),
            noCompositionRoot,
            {
              group: adapterFolders.filter((f) => f !== folder).flatMap((f) => [`**/${f}/**`, `../${f}/**`]),
              message:
                'Adapters do not import each other (only adapters/shared): what one needs of another is a port in src/application/ports, wired in src/compose*.',
            },
            { group: ['**/sandbox/**'], message: 'The product does not depend on the sandbox.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyBotImportsBotbuilder,
            noCompositionRoot,
            {
              group: ['**/adapters/**', '**/application/**', '!**/application/ports.js', '**/config*'],
              message:
                'The sandbox talks to the product only through ports (src/application/ports) and public routes; the composition root hands it what it needs.',
            },
          ],
        },
      ],
    },
  },
  {
    // Wiring only in src/compose*: the HTTP adapter receives the application services and the sync
    // policy ready-built, so it can name their types but never construct or choose them — an
    // optional dependency with a default here is how unwired features once went unnoticed.
    files: ['src/adapters/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/application/*/*',
                '!**/application/ports/*',
                '!**/application/rules/rule-catalog.js',
                '!**/application/health/health-view.js',
              ],
              allowTypeImports: true,
              message: 'adapters/http gets application services from src/compose*: import their types only.',
            },
            {
              group: ['**/domain/decide*', '**/domain/resolve*', '**/domain/validate*', '**/domain/decide/**'],
              message: 'The sync policy is chosen in src/compose*, not by the HTTP adapter.',
            },
            {
              group: ['**/store/*', '**/cxone/*', '**/bot/*', '**/sandbox/*'],
              message: 'adapters/http reaches other adapters only through ports wired in src/compose*.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests, benchmarks, the soak and the CLI scripts print reports to the terminal on purpose.
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
