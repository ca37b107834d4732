/**
 * Builds the three parts of the desktop app into out/:
 * - out/main: the Electron main process (starts the host as a child `node` process),
 * - out/preload: the sandboxed preload (CommonJS: sandboxed preloads cannot be ESM),
 * - out/renderer: the React page, which `stepwise serve` also serves to a browser.
 * `npm run build` needs no Electron binary.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(root, 'main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(root, 'main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    worker: { format: 'es' },
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      chunkSizeWarningLimit: 4000,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
