import { defineConfig } from 'vite';

/**
 * Node-side bundles for Electron, into out/main:
 *   default mode:   index.js (Electron main, ESM) and host.js (engine host for utilityProcess, ESM);
 *                   npm dependencies stay external and load from node_modules (tfjs-node is native).
 *   --mode preload: preload.cjs, one self-contained CommonJS file, because a sandboxed preload can
 *                   require nothing but 'electron' (so zod and the contract are bundled into it).
 * `npm run build:main` runs both: `vite build -c vite.main.config.ts && vite build -c vite.main.config.ts --mode preload`.
 */
export default defineConfig(({ mode }) => {
  const preload = mode === 'preload';
  const input: Record<string, string> = preload ? { preload: 'main/electron/preload.ts' } : { index: 'main/electron/index.ts', host: 'main/engine/host.ts' };
  return {
    publicDir: false,
    ssr: preload ? { noExternal: true, external: ['electron'] } : { external: ['electron'] },
    build: {
      ssr: true,
      outDir: 'out/main',
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      rolldownOptions: {
        input,
        output: preload
          ? { format: 'cjs', entryFileNames: '[name].cjs' }
          : { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' }
      }
    }
  };
});
