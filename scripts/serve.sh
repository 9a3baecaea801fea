#!/usr/bin/env bash
# Builds the release console and server, then serves http://127.0.0.1:3000 on
# ./data/switchboard.db with demo agents and inboxes. Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh build
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --release --split
scripts/build-widget.sh
# The binary embeds the site it was built with, and the widget is built after it:
# serve the folder, which holds both as they are now (docs/deploy.md builds a binary
# that carries them).
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec "${CARGO_TARGET_DIR:-target}/release/switchboard" serve --demo "$@"
