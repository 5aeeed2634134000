import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

/**
 * Unit, engine and renderer-component tiers. Engine tests load the native tfjs binding, which is
 * not safe in worker threads, so every file runs in its own forked process.
 * Renderer component tests opt into happy-dom with `// @vitest-environment happy-dom`.
 */
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
});
