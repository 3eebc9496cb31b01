#!/usr/bin/env bash
# make bench, server part: wrk against an authenticated GET of one credential, beside nginx
# serving the same bytes as a static file, in one run. Both log every request to a file;
# both run two workers (the server's --threads 2, nginx's worker_processes 2) on loopback.
# Prints requests/s for each, the ratio, and p99 at 64 connections.
# Targets: ratio >= 0.5, p99 <= 10 ms. Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (64),
# CREDVAULT_SERVER_BIN, CREDVAULT_MODULE_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
server_bin=${CREDVAULT_SERVER_BIN:-build/native/server/credvault-server}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "run_server.sh: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/credvault-bench-XXXXXX)
server_pid=""
nginx_pid=""
cleanup() {
  for pid in $server_pid $nginx_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

. tests/bench/bench_lib.sh  # server_port, free_port

mkdir -p "$work/www" "$work/nginx"  # the server makes its data dir (0700)
chmod 755 "$work" "$work/www"  # nginx workers run as an unprivileged user
"$server_bin" --listen 127.0.0.1:0 --threads 2 --data-dir "$work/data" --web-root "$work/www" \
  --module-dir "$work/www" 2>"$work/server.log" &
server_pid=$!
sport=$(server_port "$work/server.log" "$server_pid")
setup=$(node tests/bench/server_setup.mjs "http://127.0.0.1:$sport" "$work/www")
target=$(node -e 'console.log(JSON.parse(process.argv[1]).path)' "$setup")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$setup")
bytes=$(node -e 'console.log(JSON.parse(process.argv[1]).bytes)' "$setup")

nport=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
# Both answer, with the same bytes.
node -e '
  const [server, token, nginx, file] = process.argv.slice(1);
  (async () => {
    let served;
    for (let i = 0; i < 100 && served === undefined; i += 1) {
      try { served = await (await fetch(nginx)).text(); } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    const answer = await (await fetch(server, { headers: { authorization: `Bearer ${token}` } })).text();
    const expected = require("fs").readFileSync(file, "utf8");
    if (served !== expected || answer !== expected) {
      throw new Error(`the two answers differ: nginx ${served?.slice(0, 200)}, server ${answer.slice(0, 200)}`);
    }
  })();' "http://127.0.0.1:$sport$target" "$token" "http://127.0.0.1:$nport/credential.json" \
  "$work/www/credential.json"

run_wrk() {  # name url [header]
  local out="$work/wrk-$1.txt"
  if [ $# -ge 3 ]; then
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$3" "$2" >"$out"
  else
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "$2" >"$out"
  fi
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(grep -E "Non-2xx|Socket errors" "$out" || true)
  echo "$1 $rps $p99 ${errors:+!}"
  [ -z "$errors" ] || echo "run_server.sh: $1: $errors" >&2
}

# p99 from wrk ("850.00us", "3.21ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# The server's CPU time (user + system, clock ticks) from /proc, around its wrk run.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
ticks_before=$(cpu_ticks)
read -r _ server_rps server_p99 server_bad < <(run_wrk server "http://127.0.0.1:$sport$target" \
  "Authorization: Bearer $token")
ticks_after=$(cpu_ticks)
cpu_us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v r="$server_rps" \
  -v s="$seconds" 'BEGIN { printf "%.1f", t * 1e6 / hz / (r * s) }')
read -r _ nginx_rps nginx_p99 nginx_bad < <(run_wrk nginx "http://127.0.0.1:$nport/credential.json")

server_p99_ms=$(to_ms "$server_p99")
nginx_p99_ms=$(to_ms "$nginx_p99")
ratio=$(awk -v a="$server_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "NOT met") }'; }
echo
echo "server: authenticated GET of one credential ($bytes bytes) vs nginx serving the same bytes"
echo "  (wrk -t2 -c$connections -d${seconds}s --latency; both on 2 workers, logging every request;"
echo "   load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
printf "  %-18s %10s req/s   p99 %7s ms   server CPU %s us/request\n" "credvault-server" \
  "$server_rps" "$server_p99_ms" "$cpu_us"
printf "  %-18s %10s req/s   p99 %7s ms\n" "nginx" "$nginx_rps" "$nginx_p99_ms"
echo "  ratio ${ratio}x nginx (target >= 0.5: $(verdict "$(awk -v r="$ratio" 'BEGIN{print (r>=0.5)}')")); p99 ${server_p99_ms} ms (target <= 10 ms: $(verdict "$(awk -v p="$server_p99_ms" 'BEGIN{print (p<=10)}')"))"
[ -z "$server_bad$nginx_bad" ] || { echo "run_server.sh: errors during the run (above)" >&2; exit 1; }
