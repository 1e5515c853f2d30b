import { defineConfig } from 'vitest/config';

const backend = 'http://127.0.0.1:5000';

export default defineConfig({
  server: {
    // demo.html talks to a local server through these: same origin, so no allowedOrigins entry is needed.
    proxy: {
      '/widget-api': { target: backend, changeOrigin: false },
      '/hubs': { target: backend, changeOrigin: false, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // One classic script (sites load it with <script async>), so it can read its own URL from document.currentScript.
    lib: { entry: 'src/main.ts', name: 'SwitchboardWidget', formats: ['iife'], fileName: () => 'switchboard-widget.js' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
