#!/usr/bin/env bash
# Checks Cargo.lock against the RustSec advisory database with cargo-audit; fails on
# any vulnerability in a crate we build (ignored ones, with the reason, are in
# .cargo/audit.toml). Offline with the copy in ../shared/advisory-db when there is
# one (SWITCHBOARD_ADVISORY_DB overrides the path); otherwise cargo-audit fetches the
# database as it normally does.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
src="${SWITCHBOARD_ADVISORY_DB:-../shared/advisory-db}"
if [ ! -d "$src/crates" ]; then
  echo "no local advisory database at $src: cargo audit fetches it"
  exec cargo audit
fi
# cargo-audit opens the database as a git repository: make one from the copy.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R "$src" "$work/advisory-db"
chmod -R u+w "$work/advisory-db"
if [ ! -d "$work/advisory-db/.git" ]; then
  (
    cd "$work/advisory-db"
    git init -q
    git add -A
    GIT_AUTHOR_DATE="$(cut -d' ' -f2 SNAPSHOT 2>/dev/null || date -I)T00:00:00Z" \
      GIT_COMMITTER_DATE="$(cut -d' ' -f2 SNAPSHOT 2>/dev/null || date -I)T00:00:00Z" \
      git -c user.name=switchboard -c user.email=ci@localhost commit -q -m "advisory-db snapshot"
  )
fi
echo "advisory database: $src ($(cat "$src/SNAPSHOT" 2>/dev/null || echo 'no snapshot file'))"
# --stale: a snapshot is old by design; --no-fetch: never reach for the network.
exec cargo audit --db "$work/advisory-db" --no-fetch --stale
