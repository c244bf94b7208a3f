#!/usr/bin/env bash
# Runs every command that writes results on the shipped data with one accord binary and writes
# their folders under OUT, so that two builds can be compared file by file:
#
#   tools/snapshot.sh target/release/accord /tmp/before     # on the old build
#   tools/snapshot.sh target/release/accord /tmp/after      # on the new build
#   diff -r /tmp/before /tmp/after
#
# Run from the repository root. Timings printed on stdout are dropped (stdout is kept per command,
# with the lines that report elapsed time removed).
set -euo pipefail
bin="$(realpath "$1")"
out="$2"
rm -rf "$out"
mkdir -p "$out"
asem="$out/asem-input"
run() {
  local name="$1"
  shift
  "$bin" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || echo "exit $?" >>"$out/$name.stderr"
  sed -i -E 's/ in [0-9.]+ s \([^)]*\)//; s/[0-9.]+ (µs|ms) each//' "$out/$name.stdout"
}
run score-default score --out "$out/score-default"
run score-demo score --data data/demo --out "$out/score-demo"
run score-demo-dates score --data data/demo --as-of 2018-11-12,2021-11-10,2024-06-20 --out "$out/score-demo-dates"
run score-deep-real score --rubric rubrics/paris-call.toml --out "$out/score-deep-real"
run align-default align --out "$out/align-default"
run align-demo align --data data/demo --out "$out/align-demo"
run sensitivity-default sensitivity --out "$out/sensitivity-default" --seed 3
run sensitivity-demo sensitivity --data data/demo --out "$out/sensitivity-demo" --seed 3
run compare-rubrics compare rubrics/paris-call.toml rubrics/paris-call-strict.toml --data data/demo --out "$out/compare-rubrics"
run compare-dates compare 2018-11-12 2025-12-25 --out "$out/compare-dates"
run audit-demo audit --data data/demo --out "$out/audit-demo"
run agreement agreement --rubric tests/fixtures/mini/rubric.toml --data tests/fixtures/coders --out "$out/agreement"
run import-asem import-coinr --idata tests/fixtures/coinr/ASEM_iData.csv --imeta tests/fixtures/coinr/ASEM_iMeta.csv --out "$asem"
run score-asem score --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --out "$out/score-asem"
run sensitivity-asem sensitivity --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --spec tests/fixtures/coinr/sa_vignette.toml --runs 100 --seed 1 --out "$out/sensitivity-asem"
run audit-asem audit --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --out "$out/audit-asem"
# Output paths differ between runs: replace them.
grep -rl -- "$out" "$out" | xargs -r sed -i "s#$out#OUT#g"
echo "wrote $(find "$out" -type f | wc -l) files under $out"
