# Shell helpers for the make bench scripts (sourced, not run).

# Waits for a JSON "listening" line in log $1 written by the server with pid $2, and prints
# its port; prints the log and fails if the server exits first or never listens.
server_port() {
  for _ in $(seq 1 200); do
    port=$(grep -o '"event":"listening".*' "$1" 2>/dev/null | grep -o '"port":[0-9]*' | head -n1 |
      cut -d: -f2 || true)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "$(basename "$0"): the server did not start:" >&2; cat "$1" >&2; return 1
}

# A loopback port free right now.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
