#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing. Idempotent, and quick
# when everything is there. Usage: scripts/ensure-tools.sh [build|test]
#   build: wasm32 target, cargo-leptos, wasm-bindgen-cli, wasm-opt (binaryen)
#   test:  all of build, plus cargo-audit, Debian's chromium, nginx and caddy, the end2end npm packages
#          and schemathesis (from PyPI, in its own virtualenv)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '==> %s\n' "$*"; }

# The wasm-bindgen CLI must match the crate version exactly ("schema version" errors).
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132"
CARGO_AUDIT_VERSION="0.22.2"
SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS_VENV="${SCHEMATHESIS_VENV:-$HOME/.cache/switchboard/schemathesis-$SCHEMATHESIS_VERSION}"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # 0.3.11 does not build on this toolchain; no_downloads makes a missing tool fail
  # at once instead of hanging on a download that cannot work offline.
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes 15-20 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  # Debian's binaryen is too old for current rustc output; npm's is current.
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  npm install -g "binaryen@$BINARYEN_VERSION" --no-audit --no-fund
fi

if [ "$what" = "test" ]; then
  if ! cargo audit --version 2>/dev/null | grep -q "$CARGO_AUDIT_VERSION"; then
    say "installing cargo-audit $CARGO_AUDIT_VERSION (a few minutes, once)"
    cargo install cargo-audit --version "$CARGO_AUDIT_VERSION" --locked
  fi
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  # scripts/try-deploy.sh runs docs/deploy.md's configurations in them.
  if ! command -v nginx >/dev/null || ! command -v caddy >/dev/null; then
    say "installing Debian's nginx and caddy (for scripts/try-deploy.sh)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx-light caddy >/dev/null
  fi
  # Playwright must never try to download a browser here: it uses /usr/bin/chromium.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ ! -x "$SCHEMATHESIS_VENV/bin/st" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI (its own virtualenv)"
    if ! python3 -m venv --help >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$SCHEMATHESIS_VENV"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
