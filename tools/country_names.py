"""Writes src/evidence/country_names.tsv: the names and other codes by which countries are often
written where an ISO 3166-1 alpha-3 code is due, so that accord can say "did you mean `DEU`?".

Source: the country_converter package (PyPI `country_converter`, MIT licence, Copyright (c)
2015-2025 Konstantin Stadler), its file country_data.tsv, columns name_short, name_official, ISO2
(a regex of anchored alternatives such as ^GB$|^UK$), ISO3, IOC and FIFA. Run with the version
named in the output's first line installed:

    pip install country_converter==1.3.2
    python3 tools/country_names.py
"""

import csv
import os
import re

import country_converter
from country_converter.version import __version__

SRC = os.path.join(os.path.dirname(country_converter.__file__), "country_data.tsv")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "evidence", "country_names.tsv")


def literals(pattern):
    """The literal alternatives of an anchored pattern such as ^GB$|^UK$."""
    out = []
    for part in pattern.split("|"):
        m = re.fullmatch(r"\^?([A-Za-z]{2,3})\$?", part.strip())
        if m:
            out.append(m.group(1).upper())
    return out


def main():
    with open(SRC, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    lines = [
        f"# country_converter {__version__} (MIT, Konstantin Stadler), country_data.tsv; "
        "made by tools/country_names.py",
        "iso3\tname\talias",
    ]
    seen = set()
    for r in rows:
        iso3 = (r["ISO3"] or "").strip()
        if not re.fullmatch(r"[A-Z]{3}", iso3) or (r.get("obsolete") or "").strip():
            continue
        aliases = [r["name_short"], r["name_official"]]
        aliases += literals(r["ISO2"] or "")
        aliases += [r["IOC"], r["FIFA"]]
        for a in aliases:
            a = (a or "").strip()
            if not a or a.upper() == iso3 or (iso3, a.lower()) in seen:
                continue
            seen.add((iso3, a.lower()))
            lines.append(f"{iso3}\t{r['name_short'].strip()}\t{a}")
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
