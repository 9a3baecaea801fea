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
# Sizes as shipped: raw, gzip and brotli (Node's zlib has brotli built in).
node -e '
const fs = require("fs"), z = require("zlib");
let total = [0, 0, 0];
for (const f of process.argv.slice(1)) {
  const b = fs.readFileSync(f);
  const s = [b.length, z.gzipSync(b, { level: 9 }).length,
    z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length];
  s.forEach((n, i) => (total[i] += n));
  console.log(`  ${f.padEnd(48)} ${String(s[0]).padStart(7)} raw ${String(s[1]).padStart(6)} gzip ${String(s[2]).padStart(6)} brotli`);
}
console.log(`  ${"widget total".padEnd(48)} ${String(total[0]).padStart(7)} raw ${String(total[1]).padStart(6)} gzip ${String(total[2]).padStart(6)} brotli`);
' public/widget.js "$OUT/switchboard_widget.js" "$OUT/switchboard_widget_bg.wasm" public/widget/boot.js public/widget/widget.css
