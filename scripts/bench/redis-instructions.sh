#!/usr/bin/env bash
# Instructions per event of scripts/bench/redis.ts's one-off modes, in this process only (Redis's own work is not
# counted), by callgrind: they repeat on a shared, noisy machine, unlike times. Each mode runs at two sizes and the
# difference divided by the difference in N cancels start-up and warm-up; what a mode only prepares (`build` for
# publishing, `fill` for consuming) is subtracted. Needs valgrind and the Redis of REDIS_URL; a few minutes.
#   bash scripts/bench/redis-instructions.sh [N1 N2] [MODE...]
set -euo pipefail
cd "$(dirname "$0")/../.."
N1=${1:-2000}
N2=${2:-6000}
shift $(($# < 2 ? $# : 2))
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(ours-one raw-one ours-batch raw-batch ours-consume raw-consume)
# Plain JavaScript, so that callgrind does not count a TypeScript loader compiling the sources.
out=node_modules/.cache/redis-instructions
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
npx esbuild scripts/bench/redis.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$out/redis.mjs"
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node --single-threaded "$out/redis.mjs" "$1" "$2" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per() { echo $((($(count "$1" "$N2") - $(count "$1" "$N1")) / (N2 - N1))); }
build=$(per build)
fill=$(per fill)
declare -A net
echo "instructions per event in this process (callgrind, N=$N1 and N=$N2; preparing subtracted: build $build, fill $fill)"
for mode in "${modes[@]}"; do
  base=$build
  [[ $mode == *consume ]] && base=$fill
  net[$mode]=$(($(per "$mode") - base))
  printf '  %-13s %9d\n' "$mode" "${net[$mode]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
for pair in one batch consume; do
  if [[ -n ${net[ours-$pair]:-} && -n ${net[raw-$pair]:-} ]]; then
    echo "  raw / ours, $pair: $(ratio "${net[raw-$pair]}" "${net[ours-$pair]}")"
  fi
done
