import { defineConfig } from 'vite';

// The page is served by the local runtime at `/` beside the API, so its files live under /static/
// (never /assets/, which is an API route). Preact's JSX runtime; no framework plugin needed.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'static',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
});
