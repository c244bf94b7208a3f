#!/usr/bin/env python3
"""Write N FICTIONAL units for scale tests and benchmarks, from the demo set's patterns.

    python3 tools/scale_data.py N OUT [--seed S] [--flip P] [--missing P] [--dated] [--dyads]

Each unit copies the undated evidence of one of the 48 fictional jurisdictions of `data/demo`
(unit k takes demo jurisdiction k mod 48, so the blocs keep their shares), then perturbs it:

- a label, yes/no or date-or-no value is replaced, with probability `--flip` (default 0.1), by a
  draw from the values the demo's jurisdictions of the same bloc hold for that field (so a unit
  stays like its bloc, not like a random one);
- a number is multiplied by exp(e), e ~ Normal(0, 0.1), and rounded to two decimals, after the
  same chance of a draw from its bloc;
- a date moves by up to 180 days either way;
- a row is left out, with probability `--missing` (default 0.03): evidence never coded.

Plain copies would make exact duplicates, and every ranking, nearest-neighbour list and linkage
on them would be ties; the noise makes the units differ while keeping the blocs' structure.

The units' codes are `U000001`, `U000002`, ... (listed with `allow` = yes, as sub-national codes
are), named `Unit 1`, ...; `group:bloc` and `group:region` are those of the demo jurisdiction a
unit derives from, which `group:origin` names. `--dated` also copies the demo's dated rows
(values that changed over time), with their dates.

Without `--dyads` no dyads are written, so the rubric's two partner-count criteria are unknown for
every unit. With it, `dyads.csv` copies the demo's treaty network into each block of 48
consecutive units: unit k (demo jurisdiction t = k mod 48) gets each demo row of t, with its
partner replaced by the unit of the same block that derives from the partner (left out when that
unit is past N, or, with probability `--missing`, as evidence never coded). The network stays
sparse: about 10 rows a unit, whatever N. Its draws come from a second generator seeded from the
seed, so `--dyads` leaves `evidence.csv` as it is without it.

OUT also gets an `accord.toml` that fixes the evaluation date at the demo's, 2025-12-31, so that
a date moved later does not move the date every unit is scored on.

The script uses only the Python standard library and one seeded random generator, and never
reads the clock: the same N, options and seed write byte-identical files. It writes
`jurisdictions.csv`, `evidence.csv`, `accord.toml` (and `dyads.csv` with `--dyads`) into OUT (created if missing); score them
with

    accord score --data OUT --out OUT-results
"""

import argparse
import csv
import math
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "data", "demo")
SOURCE = "fictional scale-test data"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
UNKNOWN = {"", "NA", "na", "N/A", "unknown"}


def read_csv(name):
    with open(os.path.join(DEMO, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def shift_date(value, days):
    y, m, d = (int(x) for x in value.split("-"))
    # Days from a civil date and back (proleptic Gregorian), without the datetime module's
    # locale or clock: the same arithmetic everywhere.
    def to_days(y, m, d):
        y -= m <= 2
        era = (y if y >= 0 else y - 399) // 400
        yoe = y - era * 400
        doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
        doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
        return era * 146097 + doe - 719468

    def from_days(z):
        z += 719468
        era = (z if z >= 0 else z - 146096) // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + (3 if mp < 10 else -9)
        return y + (m <= 2), m, d

    y, m, d = from_days(to_days(y, m, d) + days)
    return f"{y:04d}-{m:02d}-{d:02d}"


def number_text(x):
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of units")
    ap.add_argument("out", help="folder to write jurisdictions.csv and evidence.csv into")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--flip", type=float, default=0.1, help="chance a value is redrawn from its bloc")
    ap.add_argument("--missing", type=float, default=0.03, help="chance a row is left out")
    ap.add_argument("--dated", action="store_true", help="also copy the demo's dated rows")
    ap.add_argument("--dyads", action="store_true", help="also write dyads.csv: the demo's treaty network per block of 48 units")
    args = ap.parse_args()
    if args.n < 1 or args.n > 9_999_999:
        sys.exit("N must be between 1 and 9,999,999")
    if not (0 <= args.flip <= 1 and 0 <= args.missing <= 1):
        sys.exit("--flip and --missing are probabilities, between 0 and 1")

    jurisdictions = read_csv("jurisdictions.csv")
    evidence = read_csv("evidence.csv")
    bloc_of = {j["code"]: j["group:bloc"] for j in jurisdictions}
    rows_of = {j["code"]: [] for j in jurisdictions}
    for r in evidence:
        if r["as_of"] and not args.dated:
            continue
        rows_of[r["jurisdiction"]].append(r)
    # Per bloc and field: the values its demo jurisdictions hold (undated rows), in file order.
    pool = {}
    numeric = {}
    for r in evidence:
        if r["as_of"]:
            continue
        v = r["value"]
        field = r["criterion"]
        if v not in UNKNOWN:
            numeric[field] = numeric.get(field, True) and bool(NUMBER.match(v))
        pool.setdefault((bloc_of[r["jurisdiction"]], field), []).append(v)

    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "accord.toml"), "w", encoding="utf-8") as f:
        f.write(
            "# Written by tools/scale_data.py: fictional units for scale tests.\n"
            "date = 2025-12-31\n"
            f'description = "{args.n} fictional units from the demo set\'s patterns (seed {args.seed}, flip {args.flip}, missing {args.missing}{", dated rows" if args.dated else ""})"\n'
        )
    width = max(6, len(str(args.n)))
    with open(os.path.join(args.out, "jurisdictions.csv"), "w", newline="", encoding="utf-8") as jf, open(
        os.path.join(args.out, "evidence.csv"), "w", newline="", encoding="utf-8"
    ) as ef:
        jw = csv.writer(jf, lineterminator="\n")
        ew = csv.writer(ef, lineterminator="\n")
        jw.writerow(["code", "name", "group:bloc", "group:region", "group:origin", "allow", "source"])
        ew.writerow(["jurisdiction", "criterion", "value", "source", "as_of", "note"])
        for k in range(args.n):
            template = jurisdictions[k % len(jurisdictions)]
            code = f"U{k + 1:0{width}d}"
            bloc = template["group:bloc"]
            jw.writerow([code, f"Unit {k + 1}", bloc, template["group:region"], template["code"], "yes", SOURCE])
            for r in rows_of[template["code"]]:
                # Every draw happens whatever the outcome, so that one unit's choices do not
                # shift the next unit's random stream.
                leave_out = rng.random() < args.missing
                redraw = rng.random() < args.flip
                pick = rng.random()
                noise = rng.gauss(0.0, 0.1)
                days = rng.randint(-180, 180)
                if leave_out:
                    continue
                field = r["criterion"]
                value = r["value"]
                if redraw and not r["as_of"]:
                    choices = pool.get((bloc, field)) or [value]
                    value = choices[int(pick * len(choices))]
                if value in UNKNOWN:
                    pass
                elif numeric.get(field) and NUMBER.match(value):
                    value = number_text(float(value) * math.exp(noise))
                elif DATE.match(value):
                    value = shift_date(value, days)
                ew.writerow([code, field, value, SOURCE, r["as_of"], ""])
    if args.dyads:
        write_dyads(args, jurisdictions, width)


def write_dyads(args, jurisdictions, width):
    with open(os.path.join(DEMO, "dyads.csv"), newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        demo = list(reader)
    a_col, b_col, source_col = header.index("a"), header.index("b"), header.index("source")
    index = {j["code"]: i for i, j in enumerate(jurisdictions)}
    of = {}
    for r in demo:
        of.setdefault(index[r[a_col]], []).append(r)
    block = len(jurisdictions)
    rng = random.Random(f"dyads {args.seed}")
    with open(os.path.join(args.out, "dyads.csv"), "w", newline="", encoding="utf-8") as df:
        dw = csv.writer(df, lineterminator="\n")
        dw.writerow(header)
        for k in range(args.n):
            for r in of.get(k % block, []):
                partner = (k // block) * block + index[r[b_col]]
                leave_out = rng.random() < args.missing
                if partner >= args.n or leave_out:
                    continue
                row = list(r)
                row[a_col] = f"U{k + 1:0{width}d}"
                row[b_col] = f"U{partner + 1:0{width}d}"
                row[source_col] = SOURCE
                dw.writerow(row)


if __name__ == "__main__":
    main()
