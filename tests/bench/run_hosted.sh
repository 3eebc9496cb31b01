#!/usr/bin/env bash
# make bench, hosted part (issue 7): wrk against an authenticated GET of one credential on
#   1. one server on SQLite (the single-machine figure),
#   2. one server on PostgreSQL (a throw-away cluster, tests/fixtures/postgres.mjs),
#   3. two servers on that PostgreSQL behind nginx (round robin, keepalive upstream),
# and where the time goes: from each server's /metrics, the share of request time spent in
# the store (credvault_store_operation_duration_seconds over
# credvault_http_request_duration_seconds). Every server runs --threads 2, on loopback, with
# the same setup as run_server.sh (tests/bench/server_setup.mjs). On a 2-core machine the
# servers, PostgreSQL, nginx and wrk share the cores: the two-server figure measures the
# path, not scaling. Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), CREDVAULT_SERVER_BIN,
# CREDVAULT_MODULE_DIR.
#
# Measured (2 shared cores, load ~5, -d5s): SQLite 15.3k req/s, p99 10 ms; PostgreSQL one
# server 3.2k req/s, p99 215 ms; two behind nginx 3.2k req/s, p99 110 ms. Where the time
# goes: 93-100% of request time is inside store calls. A GET is a session read and a read
# snapshot, each several round trips to PostgreSQL (BEGIN, the SELECTs, COMMIT) made
# synchronously on an I/O thread, so a server with --threads 2 has at most two queries in
# flight; the second server adds I/O threads but not cores, and PostgreSQL's backends,
# nginx and wrk compete for the same two. On separate machines the second server adds
# throughput; on one the ceiling is PostgreSQL's CPU per round trip.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
server_bin=${CREDVAULT_SERVER_BIN:-build/native/server/credvault-server}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "run_hosted.sh: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/credvault-bench-hosted-XXXXXX)
pids=()
pg_pid=""
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_pid" ]; then  # stops and deletes the cluster on SIGTERM
    kill "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

. tests/bench/bench_lib.sh  # server_port, free_port

# start_server NAME ARGS... : starts a server and sets $started_port (not in a subshell, so
# that its pid lands in $pids for the cleanup).
start_server() {
  local name=$1; shift
  mkdir -p "$work/$name-www"
  "$server_bin" --listen 127.0.0.1:0 --threads 2 --data-dir "$work/$name-data" \
    --web-root "$work/$name-www" --module-dir "$work/$name-www" --builtin-runner off "$@" \
    2>"$work/$name.log" &
  local pid=$!
  pids+=("$pid")
  started_port=$(server_port "$work/$name.log" "$pid")
}

run_wrk() {  # name url token -> "rps p99"
  local out="$work/wrk-$1.txt"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $3" "$2" >"$out"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(grep -E "Non-2xx|Socket errors" "$out" || true)
  [ -z "$errors" ] || { echo "run_hosted.sh: $1: $errors" >&2; return 1; }
  echo "$rps $p99"
}

# p99 from wrk ("850.00us", "3.21ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# "store_seconds request_seconds" summed over the /metrics of the servers on ports $@.
time_sums() {
  local store=0 request=0 text
  for port in "$@"; do
    text=$(curl -s "http://127.0.0.1:$port/metrics")
    store=$(awk -v t="$store" '/^credvault_store_operation_duration_seconds_sum/ {t += $NF} END {print t}' <<<"$text")
    request=$(awk -v t="$request" '/^credvault_http_request_duration_seconds_sum/ {t += $NF} END {print t}' <<<"$text")
  done
  echo "$store $request"
}

# Percent of request time spent in store calls between two time_sums snapshots.
store_share() {  # "before" "after"
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); r = y[2] - x[2];
    if (r > 0) printf "%.0f%%", 100 * (y[1] - x[1]) / r; else print "n/a" }'
}

# 1. SQLite.
start_server sqlite
lport=$started_port
setup=$(node tests/bench/server_setup.mjs "http://127.0.0.1:$lport" "$work/sqlite-www")
target=$(node -e 'console.log(JSON.parse(process.argv[1]).path)' "$setup")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$setup")
before=$(time_sums "$lport")
read -r sqlite_rps sqlite_p99 < <(run_wrk sqlite "http://127.0.0.1:$lport$target" "$token")
sqlite_share=$(store_share "$before" "$(time_sums "$lport")")

# 2. PostgreSQL: a throw-away cluster kept by a small node process until SIGTERM.
node --input-type=module -e '
  import { startPostgres } from "./tests/fixtures/postgres.mjs";
  const pg = await startPostgres();
  console.log(pg.url);
  const stop = async () => { await pg.stop(); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  setInterval(() => {}, 1 << 30);' >"$work/pg.url" 2>"$work/pg.log" &
pg_pid=$!
for _ in $(seq 1 400); do
  [ -s "$work/pg.url" ] && break
  kill -0 "$pg_pid" 2>/dev/null || { echo "run_hosted.sh: PostgreSQL did not start:" >&2; cat "$work/pg.log" >&2; exit 1; }
  sleep 0.05
done
pg_url=$(head -n1 "$work/pg.url")
start_server pg-a --store "$pg_url"
aport=$started_port
setup=$(node tests/bench/server_setup.mjs "http://127.0.0.1:$aport" "$work/pg-a-www")
target=$(node -e 'console.log(JSON.parse(process.argv[1]).path)' "$setup")
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$setup")
before=$(time_sums "$aport")
read -r pg1_rps pg1_p99 < <(run_wrk pg-one "http://127.0.0.1:$aport$target" "$token")
pg1_share=$(store_share "$before" "$(time_sums "$aport")")

# 3. Two servers on PostgreSQL behind nginx.
start_server pg-b --store "$pg_url"
bport=$started_port
nport=$(free_port)
mkdir -p "$work/nginx"
chmod 755 "$work"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream credvault {
    server 127.0.0.1:$aport;
    server 127.0.0.1:$bport;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nport;
    location / {
      proxy_pass http://credvault;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=("$!")
for _ in $(seq 1 100); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$nport$target" && break
  sleep 0.05
done
before=$(time_sums "$aport" "$bport")
read -r pg2_rps pg2_p99 < <(run_wrk pg-two "http://127.0.0.1:$nport$target" "$token")
pg2_share=$(store_share "$before" "$(time_sums "$aport" "$bport")")

echo
echo "hosted: authenticated GET of one credential (wrk -t2 -c$connections -d${seconds}s; servers"
echo "  --threads 2; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
printf "  %-34s %10s req/s   p99 %7s ms   store %s of request time\n" \
  "one server, SQLite" "$sqlite_rps" "$(to_ms "$sqlite_p99")" "$sqlite_share"
printf "  %-34s %10s req/s   p99 %7s ms   store %s of request time\n" \
  "one server, PostgreSQL" "$pg1_rps" "$(to_ms "$pg1_p99")" "$pg1_share"
printf "  %-34s %10s req/s   p99 %7s ms   store %s of request time\n" \
  "two servers, PostgreSQL, nginx" "$pg2_rps" "$(to_ms "$pg2_p99")" "$pg2_share"
