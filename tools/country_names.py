"""Writes src/evidence/country_names.tsv: the names and other codes by which countries are often
written where an ISO 3166-1 alpha-3 code is due, so that accord can say "did you mean `DEU`?".

Source: the Frictionless Data package datasets/country-codes (github.com/datasets/country-codes,
Public Domain Dedication and License), file data/country-codes.csv at commit caa72d1
(2026-05-15): columns ISO3166-1-Alpha-3, CLDR display name, official_name_en, UNTERM English Short,
ISO3166-1-Alpha-2, IOC and FIFA. Run with that file's path:

    python3 tools/country_names.py path/to/country-codes.csv
"""

import csv
import os
import re
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "evidence", "country_names.tsv")
SOURCE = "datasets/country-codes (PDDL) commit caa72d1, data/country-codes.csv"
ALIASES = [
    "CLDR display name",
    "official_name_en",
    "UNTERM English Short",
    "ISO3166-1-Alpha-2",
    "IOC",
    "FIFA",
]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lines = [f"# {SOURCE}; made by tools/country_names.py", "iso3\tname\talias"]
    seen = set()
    for r in rows:
        iso3 = (r["ISO3166-1-Alpha-3"] or "").strip()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            continue
        name = (r["official_name_en"] or r["CLDR display name"] or iso3).strip()
        for column in ALIASES:
            a = (r[column] or "").strip()
            # UNTERM short names end in "(the)"; FIFA and IOC codes are three letters.
            a = re.sub(r"\s*\(the\)$", "", a)
            if column in ("IOC", "FIFA") and not re.fullmatch(r"[A-Z]{3}", a):
                continue
            if not a or a.upper() == iso3 or (iso3, a.lower()) in seen:
                continue
            seen.add((iso3, a.lower()))
            lines.append(f"{iso3}\t{name}\t{a}")
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
