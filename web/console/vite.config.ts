import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const backend = 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      // Regex keys so that the SPA route /api-keys is NOT proxied (a plain '/api' prefix would match it).
      '^/api/': { target: backend, changeOrigin: false },
      '^/api-docs': { target: backend, changeOrigin: false },
      '/health': { target: backend, changeOrigin: false },
      '/openapi': { target: backend, changeOrigin: false },
      '/hubs': { target: backend, changeOrigin: false, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // Page tests walk whole screens with role queries; on a small shared machine one can take several seconds.
    testTimeout: 20_000,
  },
});
