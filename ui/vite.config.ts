// The app bundle Tauri embeds (ui/dist). No inline scripts or eval: the
// page runs under the strict CSP in src-tauri/tauri.conf.json.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Inline assets would become data: URLs for scripts, which the CSP refuses.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
