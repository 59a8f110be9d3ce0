#!/usr/bin/env bash
# Instructions per GET /ccompat/schemas/ids/{id} (callgrind; counts repeat where times on a shared machine do not),
# for the registry and the bare node:http server of scripts/bench/ccompat.ts: one server process each under
# valgrind, instrumented from the moment it listens; W requests warm it up, the counters are zeroed, then N
# requests (autocannon, 4 connections, outside valgrind) are counted.
#   bash scripts/bench/ccompat-instructions.sh [W N]     (needs valgrind; several minutes per server)
# BENCH_LOG_LEVEL=debug: the registry writes the line of every successful read.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-1000}
N=${2:-3000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A per
for role in bare registry; do
  export BENCH_PORT_FILE="$out/$role.json"
  valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file --callgrind-out-file="$out/$role.cg" \
    node --single-threaded --import tsx scripts/bench/ccompat.ts "$role" 2>"$out/$role.log" &
  pid=$!
  until [ -s "$BENCH_PORT_FILE" ]; do sleep 1; done
  url=$(node -e "const s=require('$BENCH_PORT_FILE'); console.log('http://127.0.0.1:' + s.port + s.path)")
  callgrind_control -i on "$pid" >/dev/null
  npx autocannon -c 4 -a "$W" "$url" >/dev/null 2>&1
  callgrind_control -z "$pid" >/dev/null
  npx autocannon -c 4 -a "$N" "$url" >/dev/null 2>&1
  callgrind_control -d "$pid" >/dev/null
  kill -TERM "$pid"
  wait "$pid" || true
  total=$(grep -h '^summary:\|^totals:' "$out/$role.cg".* | head -1 | awk '{print $2}')
  per[$role]=$((total / N))
  unset BENCH_PORT_FILE
done
echo "instructions per request (callgrind, $N requests after $W): node:http ${per[bare]}, registry ${per[registry]}"
awk -v a="${per[bare]}" -v b="${per[registry]}" 'BEGIN { printf "node:http / registry %.3f\n", a / b }'
