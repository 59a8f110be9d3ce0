#!/usr/bin/env bash
# Instructions per event of scripts/bench/pipeline.ts's modes, counted by callgrind (they repeat exactly on a
# shared, noisy machine, unlike times). Each mode runs at two sizes; the difference divided by the difference in N
# cancels start-up, and the `build` mode (making the records alone) is subtracted from the others.
#   bash scripts/bench/pipeline-instructions.sh [N1 N2]      (needs valgrind; ~1 min per run on an idle machine)
# `validate` is checkEvent alone, over values parsed before the count.
set -euo pipefail
cd "$(dirname "$0")/../.."
N1=${1:-1000}
N2=${2:-5000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Plain JavaScript, so that callgrind does not count a TypeScript loader compiling the sources.
npx esbuild scripts/bench/pipeline.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out/pipeline.mjs"
# --single-threaded: V8 compiles and collects on the main thread, so that the count does not depend on when its
# helper threads ran (without it two runs of the same N differ by ~3 %, with it by ~0.1 %).
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded "$out/pipeline.mjs" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
declare -A per
for mode in build validate raw checked pipeline many; do
  a=$(count "$mode" "$N1")
  b=$(count "$mode" "$N2")
  per[$mode]=$(((b - a) / (N2 - N1)))
done
echo "instructions per event (callgrind, N=$N1 and N=$N2; making the records, ${per[build]}/event, subtracted)"
for mode in validate raw checked pipeline many; do
  printf '  %-9s %9d\n' "$mode" $((per[$mode] - per[build]))
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
r=$((per[raw] - per[build]))
c=$((per[checked] - per[build]))
p=$((per[pipeline] - per[build]))
m=$((per[many] - per[build]))
echo "  raw / pipeline      $(ratio $r $p)  (1 = the pipeline costs nothing beyond JSON.parse)"
echo "  checked / pipeline  $(ratio $c $p)  (1 = the pipeline costs nothing beyond JSON.parse + checkEvent)"
echo "  checked / many      $(ratio $c $m)"
