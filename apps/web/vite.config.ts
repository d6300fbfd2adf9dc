import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const server = process.env.COSHEET_SERVER ?? "http://localhost:3000";

export default defineConfig({
  plugins: [vue()],
  server: {
    port: 5173,
    proxy: {
      "/api": server,
      "/socket.io": { target: server, ws: true },
    },
  },
  build: { target: "es2022" },
});
