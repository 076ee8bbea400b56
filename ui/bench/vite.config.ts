// Builds the grid evaluation pages (see docs/UI-GRID.md); not part of the app.
import { defineConfig } from "vite";
import { resolve } from "node:path";
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  logLevel: "warn",
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    rollupOptions: { input: { glide: resolve(import.meta.dirname, "glide.html"), dom: resolve(import.meta.dirname, "dom.html") } },
  },
});
