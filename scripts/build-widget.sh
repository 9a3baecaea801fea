#!/usr/bin/env bash
# Builds the customer widget (its own small WASM bundle, not the console's) into
# target/site/widget/pkg, where the server serves it. Prints its sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT=target/site/widget/pkg
cargo build -p switchboard-widget --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" \
  "$TARGET/wasm32-unknown-unknown/wasm-release/switchboard_widget.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  -o "$OUT/switchboard_widget_bg.wasm" "$OUT/switchboard_widget_bg.wasm"
for f in public/widget.js "$OUT/switchboard_widget.js" "$OUT/switchboard_widget_bg.wasm"; do
  printf '  %-45s %7d bytes raw, %6d gzip\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
