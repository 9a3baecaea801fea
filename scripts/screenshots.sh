#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the demo (the README's pictures): builds what is
# missing, then drives the console and the widget with Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --frontend-only --split
scripts/build-widget.sh
cargo build -p switchboard --features app/ssr
(cd end2end && [ -d node_modules ] || npm ci --no-audit --no-fund)
NODE_PATH=end2end/node_modules node end2end/screenshots.mjs target/debug/switchboard
