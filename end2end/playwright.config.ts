import { defineConfig } from '@playwright/test';

// The server is the binary the test script built; it gets a fresh SQLite file with
// the demo data on every run.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const BIN = process.env.SWITCHBOARD_BIN ?? 'target/debug/switchboard';
// The customer's website, on another origin.
const HOST_PORT = Number(process.env.E2E_HOST_PORT ?? 3101);
process.env.E2E_HOST_URL = `http://127.0.0.1:${HOST_PORT}`;

export default defineConfig({
  testDir: './tests',
  // The console's WASM is optimised (profile wasm-dev) and each test closes the
  // contexts it opened: a test takes a few seconds, 20 at most on two busy cores.
  timeout: 40_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-quic',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [{
    command:
      `rm -rf target/e2e && mkdir -p target/e2e && exec ${BIN} serve --demo --bind 127.0.0.1:${PORT} ` +
      `--database-url sqlite://target/e2e/e2e.db --data-dir target/e2e/files ` +
      // Every customer of the suite comes from 127.0.0.1, some tests start dozens of
      // chats at once: a per-address budget for a whole office, not one visitor.
      `--starts-per-minute 600`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { LEPTOS_SITE_ROOT: 'target/site', RUST_LOG: 'warn' },
  }, {
    command: `node host-server.mjs ${HOST_PORT} http://127.0.0.1:${PORT}`,
    url: `http://127.0.0.1:${HOST_PORT}/`,
    reuseExistingServer: false,
    timeout: 20_000,
  }],
});
