#!/usr/bin/env python3
"""Checks that pandas (with pyarrow) and polars read accord's parquet tables untouched.

    python3 tools/parquet_check.py target/release/accord

Run from the repository root, in an environment with pandas, pyarrow and polars (`.ci/run` makes
one). Every command that writes a results folder is run on the shipped data twice, once with
`--format csv` and once with `--format parquet`; each .parquet file is then read by pandas and by
polars, with no option, and compared cell by cell with its CSV: the same column names in the same
order, the same number of rows, numbers equal (a null where the CSV says NA), whole numbers and
dates typed as such, text equal (the CSV's spreadsheet guard undone). Exits 1 naming the first
difference.
"""

import datetime
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import polars as pl

RUNS = [
    ["score"],
    ["score", "--data", "data/demo", "--as-of", "2018-11-12,2021-11-10"],
    ["align", "--data", "data/demo", "--reference", "XJO"],
    ["sensitivity", "--data", "data/demo", "--seed", "3", "--runs", "16", "--runs-csv"],
    ["compare", "rubrics/paris-call.toml", "rubrics/paris-call-strict.toml", "--data", "data/demo"],
    ["audit", "--data", "data/demo"],
    ["agreement", "--rubric", "tests/fixtures/mini/rubric.toml", "--data", "tests/fixtures/coders"],
]


def untext(s):
    """Undoes the CSV's spreadsheet guard (a leading ' before = + - @ tab or CR)."""
    if len(s) >= 2 and s[0] == "'" and s[1] in "=+-@\t\r":
        return s[1:]
    return s


def same(csv_cell, value):
    """Whether a parquet value (as pandas or polars give it) is the CSV cell."""
    missing = value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA
    if csv_cell == "NA":
        # NA is a null, except in a text column that holds the code NA (Namibia).
        return missing or value == "NA"
    if csv_cell == "":
        return missing or value == ""
    if missing:
        return False
    if isinstance(value, bool):
        return csv_cell == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(csv_cell) == float(value)
    if isinstance(value, datetime.date):
        return csv_cell == value.isoformat()
    return untext(csv_cell) == value


def check_table(csv_path, pq_path):
    import csv

    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = [untext(h) for h in rows[0]], rows[1:]
    frames = {
        "pandas": pd.read_parquet(pq_path),
        "polars": pl.read_parquet(pq_path),
    }
    for reader, df in frames.items():
        names = list(df.columns)
        if names != header:
            return f"{pq_path} ({reader}): columns {names}, the CSV has {header}"
        if len(df) != len(body):
            return f"{pq_path} ({reader}): {len(df)} rows, the CSV has {len(body)}"
        columns = (
            [df[c].tolist() for c in names] if reader == "pandas" else [df[c].to_list() for c in names]
        )
        for k, values in enumerate(columns):
            if header[k] == "as_of" and reader == "polars" and df.schema[header[k]] != pl.Date:
                return f"{pq_path} (polars): `as_of` is {df.schema[header[k]]}, not a date"
            for i, (row, value) in enumerate(zip(body, values)):
                cell = row[k] if k < len(row) else ""
                if not same(cell, value):
                    return f"{pq_path} ({reader}) row {i + 1}, column `{header[k]}`: {value!r}, the CSV has {cell!r}"
    return None


def main():
    accord = Path(sys.argv[1]).resolve()
    tables = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, args in enumerate(RUNS):
            dirs = {}
            for fmt in ("csv", "parquet"):
                out = Path(tmp) / f"{fmt}{n}"
                cmd = [str(accord), *args, "--out", str(out), "--quiet", "--format", fmt]
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                dirs[fmt] = out
            for csv_path in sorted(dirs["csv"].glob("*.csv")):
                pq_path = dirs["parquet"] / (csv_path.stem + ".parquet")
                problem = check_table(csv_path, pq_path)
                if problem:
                    print(problem)
                    return 1
                tables += 1
    print(f"pandas {pd.__version__} and polars {pl.__version__} read {tables} parquet tables as their CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
