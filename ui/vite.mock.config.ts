// Builds the fake backend the UI tests and screenshots inject with
// page.addInitScript (one IIFE installing mockIPC); never part of the app.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  logLevel: "warn",
  build: {
    outDir: "tests/mock/dist",
    emptyOutDir: true,
    target: "es2022",
    minify: false,
    lib: { entry: "tests/mock/main.ts", formats: ["iife"], name: "SondeMock", fileName: () => "mock.js" },
  },
});
