#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests on SQLite and PostgreSQL, the import
# cycle check, cargo audit, the benchmark's quick run, the REST API fuzz
# (schemathesis), the deployment configurations (nginx, Caddy, systemd), then the
# Playwright suite in Chromium. Prints the counts; exits non-zero on any failure.
# With CI=true an unreachable PostgreSQL fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh test || { echo "tool installation failed"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
TARGET="${CARGO_TARGET_DIR:-target}"
LOGS="$(mktemp -d)"
status=0

# PostgreSQL: start the local cluster if it is installed but down.
export SWITCHBOARD_TEST_PG="${SWITCHBOARD_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -q -d "$SWITCHBOARD_TEST_PG" 2>/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
  sleep 2
fi
if pg_isready -q -d "$SWITCHBOARD_TEST_PG" 2>/dev/null; then
  pg_note="ran on SQLite and PostgreSQL"
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: PostgreSQL is unreachable at $SWITCHBOARD_TEST_PG and CI=true"
  exit 1
else
  pg_note="ran on SQLite only: PostgreSQL tests were SKIPPED (unreachable at $SWITCHBOARD_TEST_PG)"
  echo "WARNING: $pg_note"
fi

echo "==> building the console's WASM and the site"
cargo leptos build --frontend-only --split || { echo "FAIL: front-end build"; exit 1; }
scripts/build-widget.sh || { echo "FAIL: widget build"; exit 1; }

echo "==> Rust tests"
rust_start=$SECONDS
cargo test -p app -p switchboard -p switchboard-bench -p switchboard-widget --features app/ssr 2>&1 | tee "$LOGS/cargo.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
rust_secs=$((SECONDS - rust_start))
rust_passed=$(awk '/^test result:/ {s += $4} END {print s + 0}' "$LOGS/cargo.txt")
rust_failed=$(awk '/^test result:/ {s += $6} END {print s + 0}' "$LOGS/cargo.txt")

echo "==> Import cycles between top-level modules (arrows point down only)"
cycles_passed=0
cycles_failed=0
if python3 scripts/check-cycles.py app/src server/src; then
  cycles_passed=1
else
  cycles_failed=1
  status=1
fi

echo "==> Known-vulnerable dependencies (cargo audit against the RustSec database)"
audit_passed=0
audit_failed=0
if scripts/audit.sh; then
  audit_passed=1
else
  audit_failed=1
  status=1
fi

echo "==> Benchmark, quick mode: correctness only (no lost, duplicated or leaked events; every request answered)"
bench_passed=0
bench_failed=0
bench_backends=sqlite
pg_isready -q -d "$SWITCHBOARD_TEST_PG" 2>/dev/null && bench_backends=sqlite,postgres
# Built with the same packages and features as the tests, so the dependencies compiled
# for them are reused (alone, the bench crate unifies features differently and
# rebuilds dozens of crates).
if cargo build -p app -p switchboard -p switchboard-bench --features app/ssr && "$TARGET/debug/switchboard-bench" --quick --server "$TARGET/debug/switchboard" \
    --backends "$bench_backends" --pg "$SWITCHBOARD_TEST_PG"; then
  bench_passed=1
else
  bench_failed=1
  status=1
fi

echo "==> REST API fuzz (schemathesis against /api/v1/openapi.json): no 5xx, every response as documented"
fuzz_passed=0
fuzz_failed=0
if scripts/fuzz-api.sh "$TARGET/debug/switchboard" 150; then
  fuzz_passed=1
else
  fuzz_failed=1
  status=1
fi

echo "==> Deployment (scripts/try-deploy.sh: docs/deploy.md's systemd unit, nginx and Caddy over TLS, two instances on PostgreSQL)"
deploy_passed=0
deploy_failed=0
if pg_isready -q -d "$SWITCHBOARD_TEST_PG" 2>/dev/null; then
  scripts/try-deploy.sh "$TARGET/debug/switchboard" 2>&1 | tee "$LOGS/deploy.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  deploy_passed=$(sed -n 's/^\([0-9]\+\) passed, [0-9]\+ failed$/\1/p' "$LOGS/deploy.txt" | tail -1)
  deploy_failed=$(sed -n 's/^[0-9]\+ passed, \([0-9]\+\) failed$/\1/p' "$LOGS/deploy.txt" | tail -1)
  deploy_passed=${deploy_passed:-0}
  deploy_failed=${deploy_failed:-1}
else
  echo "SKIPPED: the deployment check needs PostgreSQL"
fi

echo "==> Playwright tests in Chromium"
e2e_start=$SECONDS
if [ -x "$TARGET/debug/switchboard" ]; then
  (cd end2end && SWITCHBOARD_BIN="$TARGET/debug/switchboard" npx playwright test) 2>&1 | tee "$LOGS/e2e.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  echo "FAIL: $TARGET/debug/switchboard was not built"
  status=1
fi
e2e_secs=$((SECONDS - e2e_start))
e2e_passed=$(sed -n 's/^ *\([0-9]\+\) passed.*/\1/p' "$LOGS/e2e.txt" 2>/dev/null | tail -1)
e2e_failed=$(sed -n 's/^ *\([0-9]\+\) failed.*/\1/p' "$LOGS/e2e.txt" 2>/dev/null | tail -1)
e2e_passed=${e2e_passed:-0}
e2e_failed=${e2e_failed:-0}
if [ "$status" -ne 0 ] && [ "$((rust_failed + cycles_failed + audit_failed + bench_failed + fuzz_failed + deploy_failed + e2e_failed))" -eq 0 ]; then
  e2e_failed=1 # something failed without a count (a build, a crash): never report green
fi

echo
echo "Rust:       $rust_passed passed, $rust_failed failed ($pg_note; ${rust_secs} s with the build)"
echo "Cycles:     $cycles_passed passed, $cycles_failed failed (scripts/check-cycles.py)"
echo "Audit:      $audit_passed passed, $audit_failed failed (cargo audit, RustSec advisories)"
echo "Benchmark:  $bench_passed passed, $bench_failed failed (--quick on $bench_backends)"
echo "API fuzz:   $fuzz_passed passed, $fuzz_failed failed (schemathesis, every operation of /api/v1)"
echo "Deployment: $deploy_passed passed, $deploy_failed failed (scripts/try-deploy.sh: systemd, nginx, Caddy, TLS, two instances)"
echo "Playwright: $e2e_passed passed, $e2e_failed failed (${e2e_secs} s)"
echo "$((rust_passed + cycles_passed + audit_passed + bench_passed + fuzz_passed + deploy_passed + e2e_passed)) passed, $((rust_failed + cycles_failed + audit_failed + bench_failed + fuzz_failed + deploy_failed + e2e_failed)) failed"
exit "$status"
