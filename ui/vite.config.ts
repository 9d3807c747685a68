// Vite builds ui/ into ui/dist; the Tauri window loads it from there (or from the dev server
// on port 5173 during `npm run tauri dev`). Nothing is fetched from the network at run time.

import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  plugins: [react()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 5173,
    strictPort: true,
    host: process.env.TAURI_DEV_HOST ?? "localhost",
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  preview: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2022", "chrome105", "safari15"],
    // No source maps in what ships: Tauri embeds ui/dist in the binary (4 MB of maps).
    // `DBDOCK_SOURCEMAP=1 npm run build` makes them for debugging a build.
    sourcemap: process.env.DBDOCK_SOURCEMAP === "1",
    chunkSizeWarningLimit: 1500,
  },
  test: {
    root,
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
