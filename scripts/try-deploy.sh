#!/usr/bin/env bash
# Tries every configuration docs/deploy.md shows (the files in deploy/): two
# instances started as switchboard.service starts them (its EnvironmentFile, its
# ExecStartPre and ExecStart, the unit checked by systemd-analyze) on one PostgreSQL,
# behind nginx (deploy/nginx.conf) and behind Caddy (deploy/Caddyfile), both over TLS.
# Through each proxy: the console and its files (served from the binary, started in an
# empty folder), a login with a Secure cookie, and live events that pass unbuffered
# and cross instances. Only what cannot run here is swapped: the host name, the ports,
# the binary's and certificates' paths. Ends with "N passed, M failed".
# Usage: scripts/try-deploy.sh [path/to/switchboard]   (DEPLOY_PORT_BASE, default 3400)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/debug/switchboard}")
PG="${SWITCHBOARD_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}"
BASE=${DEPLOY_PORT_BASE:-3400}
A=$BASE B=$((BASE + 2)) NGX_HTTP=$((BASE + 10)) NGX_TLS=$((BASE + 11)) CADDY_HTTP=$((BASE + 20)) CADDY_TLS=$((BASE + 21))
T=$(mktemp -d)
DB="sb_deploy_$$"
passed=0 failed=0
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT
check() { # check NAME COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "  ok   $1"; else failed=$((failed + 1)); echo "  FAIL $1"; fi
}
wait_port() { for _ in $(seq 1 150); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
for tool in nginx caddy systemd-analyze openssl psql curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/ensure-tools.sh test installs it)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$BIN" ] || { echo "FAIL: no server binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }
psql -q "$PG" -c "CREATE DATABASE $DB" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
DBURL="${PG%/*}/$DB"

echo "==> docs/deploy.md quotes each file in deploy/ verbatim"
for f in deploy/*; do
  check "docs/deploy.md shows $f as it is" python3 -c 'import sys; sys.exit(open(sys.argv[2]).read() not in open(sys.argv[1]).read())' docs/deploy.md "$f"
done

echo "==> systemd unit (deploy/switchboard.service)"
mkdir -p "$T/bin" "$T/etc"
ln -s "$BIN" "$T/bin/switchboard"
sed -e "s|/usr/local/bin/switchboard|$T/bin/switchboard|g" -e "s|/etc/switchboard/switchboard.env|$T/etc/switchboard.env|" \
  -e "s|^User=.*|User=root|; s|^Group=.*|Group=root|" deploy/switchboard.service > "$T/switchboard.service"
cp deploy/switchboard.env "$T/etc/switchboard.env"
check "systemd-analyze verify accepts the unit" bash -c "systemd-analyze verify '$T/switchboard.service' 2>&1 | grep -v 'Failed to put bus name\|bus\b' | { ! grep -q .; }"

# Each instance: the unit's environment file with this machine's database, port and
# folder, then ExecStartPre and ExecStart as the unit writes them, in an empty folder.
start_instance() { # PORT NAME
  local dir="$T/$2" env="$T/$2.env"
  mkdir -p "$dir"
  sed -e "s|^DATABASE_URL=.*|DATABASE_URL=$DBURL|" -e "s|^SWITCHBOARD_BIND=.*|SWITCHBOARD_BIND=127.0.0.1:$1|" \
    -e "s|^SWITCHBOARD_DATA_DIR=.*|SWITCHBOARD_DATA_DIR=$dir/files|" -e "s|^RUST_LOG=.*|RUST_LOG=warn|" deploy/switchboard.env > "$env"
  local pre start
  pre=$(sed -n "s|^ExecStartPre=||p" "$T/switchboard.service")
  start=$(sed -n "s|^ExecStart=||p" "$T/switchboard.service")
  (cd "$dir" && env -i PATH="$PATH" bash -c "set -a; . '$env'; set +a; $pre && exec $start $3") > "$T/$2.log" 2>&1 &
  pids+=($!)
}
start_instance "$A" a --demo
wait_port "$A" || { cat "$T/a.log"; }
start_instance "$B" b ""
check "both instances listen" bash -c "$(declare -f wait_port); wait_port $A && wait_port $B"

echo "==> TLS certificate for 127.0.0.1"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1

# Checks through a proxy at https://127.0.0.1:PORT, trusting CA.
through() { # PORT CA NAME
  local url="https://127.0.0.1:$1" ca=$2 name=$3 out="$T/sse-$3.txt"
  local c=(curl -s --cacert "$ca" --max-time 10)
  check "$name: /healthz over TLS" bash -c "[ \"\$(${c[*]} $url/healthz)\" = ok ]"
  check "$name: the console's WASM, from the binary" bash -c \
    "${c[*]} -o /dev/null -w '%{http_code} %{content_type}' $url/pkg/switchboard.wasm | grep -q '^200 application/wasm'"
  local cookie
  cookie=$("${c[@]}" -D - -o /dev/null -H "Origin: $url" --data-urlencode email=alex.operator@example.com \
    --data-urlencode password=operator-demo-pass "$url/api/login" | tr -d '\r' | sed -n 's/^set-cookie: //Ip' | head -1)
  check "$name: login sets a Secure, HttpOnly cookie" bash -c "grep -qi '; *secure' <<<'$cookie' && grep -qi httponly <<<'$cookie'"
  cookie=${cookie%%;*}
  # The agent's stream lands on one instance; the customer's sends alternate.
  curl -sN --cacert "$ca" --max-time 15 -H "cookie: $cookie" "$url/api/events" > "$out" &
  local sse=$!
  sleep 1
  local token="visitor-deploy-$name-aaaaaaaaaaaaaaaaaaaa"
  local conv
  conv=$("${c[@]}" -H 'content-type: application/json' -d "{\"inbox\":\"demo-support\",\"token\":\"$token\"}" \
    "$url/api/widget/conversations" | python3 -c 'import json,sys; print(json.load(sys.stdin)["conversation"]["id"])')
  local start=$SECONDS
  for i in 1 2 3 4; do
    "${c[@]}" -o /dev/null -H "authorization: Bearer $token" -H 'content-type: application/json' \
      -d "{\"client_id\":\"$name-$i\",\"body\":\"through $name $i\"}" "$url/api/widget/conversations/$conv/messages"
  done
  local seen=0
  for _ in $(seq 1 50); do
    seen=$(grep -c "through $name [1-4]" "$out" || true)
    [ "$seen" -ge 4 ] && break
    sleep 0.1
  done
  kill "$sse" 2>/dev/null
  check "$name: 4 of 4 messages reached the agent's stream live, across instances ($((SECONDS - start)) s)" [ "$seen" -ge 4 ]
}

echo "==> nginx (deploy/nginx.conf)"
mkdir -p "$T/nginx"
sed -e "s|listen 80;|listen 127.0.0.1:$NGX_HTTP;|" -e "s|listen 443 ssl http2;|listen 127.0.0.1:$NGX_TLS ssl http2;|" \
  -e "s|server 127.0.0.1:3000;|server 127.0.0.1:$A;|" -e "s|server 127.0.0.1:3002;|server 127.0.0.1:$B;|" \
  -e "s|/etc/letsencrypt/live/chat.example.com/fullchain.pem|$T/cert.pem|" -e "s|/etc/letsencrypt/live/chat.example.com/privkey.pem|$T/key.pem|" \
  deploy/nginx.conf > "$T/nginx/site.conf"
cat > "$T/nginx/nginx.conf" <<CONF
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $T/nginx/body;
  proxy_temp_path $T/nginx/proxy;
  fastcgi_temp_path $T/nginx/fastcgi;
  uwsgi_temp_path $T/nginx/uwsgi;
  scgi_temp_path $T/nginx/scgi;
  include $T/nginx/site.conf;
}
CONF
nginx -c "$T/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
check "nginx starts with the configuration" wait_port "$NGX_TLS"
check "nginx: plain http redirects to https" bash -c \
  "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:$NGX_HTTP/login | grep -q '^301 https://127.0.0.1/login'"
through "$NGX_TLS" "$T/cert.pem" nginx

echo "==> Caddy (deploy/Caddyfile)"
mkdir -p "$T/caddy"
{
  printf '{\n\tadmin off\n\tskip_install_trust\n\thttp_port %s\n\thttps_port %s\n}\n' "$CADDY_HTTP" "$CADDY_TLS"
  sed -e "s|^chat.example.com {|https://127.0.0.1:$CADDY_TLS {\n\ttls internal|" \
    -e "s|reverse_proxy 127.0.0.1:3000 127.0.0.1:3002|reverse_proxy 127.0.0.1:$A 127.0.0.1:$B|" deploy/Caddyfile
} > "$T/caddy/Caddyfile"
XDG_DATA_HOME="$T/caddy" XDG_CONFIG_HOME="$T/caddy" HOME="$T/caddy" caddy run --adapter caddyfile --config "$T/caddy/Caddyfile" > "$T/caddy/log" 2>&1 &
pids+=($!)
check "Caddy starts with the configuration" wait_port "$CADDY_TLS"
for _ in $(seq 1 50); do [ -f "$T/caddy/caddy/pki/authorities/local/root.crt" ] && break; sleep 0.1; done
through "$CADDY_TLS" "$T/caddy/caddy/pki/authorities/local/root.crt" caddy

if [ "$failed" -gt 0 ]; then
  for f in "$T"/a.log "$T"/b.log "$T"/nginx/error.log "$T"/caddy/log; do echo "--- $f"; tail -20 "$f" 2>/dev/null; done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
