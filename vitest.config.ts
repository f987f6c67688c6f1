import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Lab tests boot User-Mode Linux; they run through `npm run lab`, not here.
    exclude: ['node_modules', 'dist', 'interop/**'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
