import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

/**
 * Renderer build: root renderer/, output out/renderer. `base: './'` keeps asset URLs relative so
 * the same build loads from Electron's file:// and from the browser-mode server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // ECharts dominates the bundle; it is loaded from disk, never over a network.
    chunkSizeWarningLimit: 1500
  },
  server: { host: '127.0.0.1' }
});
