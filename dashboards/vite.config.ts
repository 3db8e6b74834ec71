// The SOC console: a Vite build of app/ into dist/console, which the control plane serves on its own origin.
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: '/',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: fileURLToPath(new URL('./dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // deck.gl and luma.gl are large; they load with the map views only.
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev:console` next to a running appliance: the API on the appliance's port.
    proxy: { '/api': process.env['INOSEC_CONSOLE_API'] ?? 'http://127.0.0.1:8080' },
  },
});
