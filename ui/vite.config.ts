/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The app is served by the Tauri shell from its own protocol; everything is bundled, nothing is
// fetched from outside (see the CSP in src-tauri). Dev server port is fixed for `tauri dev`.
export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  define: {
    // vue-i18n feature flags: composition API only, no devtools in production builds.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  test: {
    // The pure modules and the stores (the shell's invoke mocked); a test needing a DOM says so.
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
})
