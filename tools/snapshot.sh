#!/usr/bin/env bash
# Runs every command that writes results on the shipped data with one accord binary and writes
# their folders under OUT, so that two builds can be compared file by file:
#
#   tools/snapshot.sh target/release/accord ../snapshots/before   # on the old build
#   tools/snapshot.sh target/release/accord ../snapshots/after    # on the new build
#   diff -r ../snapshots/before ../snapshots/after
#
# Run from the repository root. Timings printed on stdout are dropped (stdout is kept per command,
# with the lines that report elapsed time removed). The commands run inside OUT, reaching the
# repository's `data`, `rubrics` and `tests` through links removed at the end, so that every path
# an output records (and so every hash of a file that records one, and every column width) is the
# same whatever OUT is.
set -euo pipefail
bin="$(realpath "$1")"
root="$(pwd)"
rm -rf "$2"
mkdir -p "$2"
out="$(realpath "$2")"
cd "$out"
for d in data rubrics tests; do ln -s "$root/$d" "$d"; done
trap 'rm -f "$out/data" "$out/rubrics" "$out/tests"' EXIT
asem=asem-input
run() {
  local name="$1"
  shift
  "$bin" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || echo "exit $?" >>"$out/$name.stderr"
  sed -i -E 's/ in [0-9.]+ s \([^)]*\)//; s/[0-9.]+ (µs|ms) each//' "$out/$name.stdout"
}
run score-default score --out score-default
run score-demo score --data data/demo --out score-demo
run score-demo-dates score --data data/demo --as-of 2018-11-12,2021-11-10,2024-06-20 --out score-demo-dates
run score-deep-real score --rubric rubrics/paris-call.toml --out score-deep-real
run align-default align --out align-default
run align-demo align --data data/demo --out align-demo
run sensitivity-default sensitivity --out sensitivity-default --seed 3
run sensitivity-demo sensitivity --data data/demo --out sensitivity-demo --seed 3
run compare-rubrics compare rubrics/paris-call.toml rubrics/paris-call-strict.toml --data data/demo --out compare-rubrics
run compare-dates compare 2018-11-12 2025-12-25 --out compare-dates
run audit-demo audit --data data/demo --out audit-demo
run agreement agreement --rubric tests/fixtures/mini/rubric.toml --data tests/fixtures/coders --out agreement
run import-asem import-coinr --idata tests/fixtures/coinr/ASEM_iData.csv --imeta tests/fixtures/coinr/ASEM_iMeta.csv --out "$asem"
run score-asem score --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --out score-asem
run sensitivity-asem sensitivity --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --spec tests/fixtures/coinr/sa_vignette.toml --runs 100 --seed 1 --out sensitivity-asem
run audit-asem audit --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --out audit-asem
# Reports: the HTML page from the folders above, and with `--format svg` every chart as a file.
run report-default report score-default align-default sensitivity-default --compare compare-dates --format svg --out report-default.html
run report-demo report score-demo align-demo sensitivity-demo --compare compare-rubrics --format svg --out report-demo.html
run report-deep-real report score-deep-real --out report-deep-real.html
run report-asem report score-asem sensitivity-asem --format svg --out report-asem.html
# explain, in each format, of every node in a score folder's scores.csv (and of the default
# node) for one jurisdiction; one file per jurisdiction and format, each part headed by its node.
explain_all() {
  local name="$1" scores="$2" code="$3"
  shift 3
  local format node nodes
  nodes="$(awk -F, -v j="$code" 'NR > 1 && $1 == j { print $2 }' "$scores")"
  for format in text json; do
    local file="$out/explain-$name-$format"
    "$bin" explain "$code" --format "$format" "$@" >"$file.stdout" 2>"$file.stderr" || echo "exit $?" >>"$file.stderr"
    for node in $nodes; do
      echo "== $node" >>"$file.stdout"
      echo "== $node" >>"$file.stderr"
      "$bin" explain "$code" --node "$node" --format "$format" "$@" >>"$file.stdout" 2>>"$file.stderr" || echo "exit $?" >>"$file.stderr"
    done
  done
}
explain_all demo-full score-demo/scores.csv XDU --data data/demo
explain_all demo-na score-demo/scores.csv XQR --data data/demo
explain_all demo-2018 score-demo/scores.csv XQR --data data/demo --as-of 2018-11-12
explain_all default-full score-default/scores.csv DEU
explain_all default-na score-default/scores.csv BMU
explain_all default-partial score-default/scores.csv EUU
explain_all deep-real score-deep-real/scores.csv FRA --rubric rubrics/paris-call.toml
explain_all asem score-asem/scores.csv AUT --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv"
run score-coders score --rubric tests/fixtures/mini/rubric.toml --data tests/fixtures/coders --out score-coders
for code in XAA XAB XAC XAD; do
  explain_all "coders-$code" score-coders/scores.csv "$code" --rubric tests/fixtures/mini/rubric.toml --data tests/fixtures/coders
done
run explain-gmean explain AUT --node Conn --rubric "$asem/rubric.toml" --evidence "$asem/evidence.csv" --jurisdictions "$asem/jurisdictions.csv" --set 'pipeline.normalise.l_u=[1,100]' --set 'pipeline.aggregate.method="a_gmean"'
explain_all default-2040 score-default/scores.csv DEU --as-of 2040-01-01
run explain-median explain XDU --data data/demo --set 'pipeline.aggregate.method="a_median"'
run explain-zero explain XQR --node P9 --data data/demo --set 'pipeline.aggregate.na_child="zero"'
run explain-screened explain XQR --data data/demo --set 'pipeline.screen.method="byNA"' --set pipeline.screen.dat_thresh=0.6
run explain-screened-json explain XQR --format json --data data/demo --set 'pipeline.screen.method="byNA"' --set pipeline.screen.dat_thresh=0.6
run explain-unknown-jurisdiction explain XDV --data data/demo
run explain-unknown-node explain XDU --node P10 --data data/demo
echo "wrote $(find "$out" -type f | wc -l) files under $out"
