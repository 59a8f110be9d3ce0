#!/usr/bin/env bash
# Instructions per framed encode, ours against @kafkajs/confluent-schema-registry's `encode`, and per validation of
# a parsed event, checkEvent against the client's ajv (encode-callgrind.ts), counted by callgrind: they repeat on a
# shared, noisy machine, unlike times. Each side runs at two sizes and the difference divided by the difference in N
# cancels start-up. V8 runs single-threaded (its optimizing compiler on the main thread), so that a background
# compiler thread's work does not land in one run and not in the other.
#   bash scripts/bench/encode-instructions.sh [N1 N2]      (needs valgrind; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
N1=${1:-10000}
N2=${2:-50000}
# Plain JavaScript, so that callgrind does not count a TypeScript loader compiling the sources. The bundle sits in
# node_modules so that its require() of the other side's internals resolves.
out=node_modules/.cache/encode-instructions
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
npx esbuild scripts/bench/encode-callgrind.ts --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --external:@kafkajs/confluent-schema-registry \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out/encode.mjs"
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node --single-threaded "$out/encode.mjs" "$1" "$2" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
declare -A per
for side in ours confluent check ajv; do
  a=$(count "$side" "$N1")
  b=$(count "$side" "$N2")
  per[$side]=$(((b - a) / (N2 - N1)))
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "instructions per event (callgrind, N=$N1 and N=$N2)"
echo "  framed encode: ours ${per[ours]}, confluent-schema-registry ${per[confluent]}: $(ratio "${per[confluent]}" "${per[ours]}")× fewer (goal ≥ 3)"
echo "  validating a parsed event: checkEvent ${per[check]}, its ajv 2020 + ajv-formats ${per[ajv]}: $(ratio "${per[ajv]}" "${per[check]}")× fewer"
