import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The hall's device pages (/kiosk, /terminal, /pad, /display, /q/…): one entry, served by the
// central server, which embeds ui/dist-devices at compile time (crates/server/build.rs). Assets
// live under /devices/ so they never collide with the API or a page path.
export default defineConfig({
  plugins: [vue()],
  base: '/devices/',
  clearScreen: false,
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist-devices',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: 'devices.html' },
  },
})
