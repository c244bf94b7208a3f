"""Measures the Python package's overhead over the library (README, Python: speed).

Run from the repository root after `pip install ./python`, with COINr's ASEM example imported
by `accord import-coinr` into ASEM_DIR:

    python python/benchmarks/measure.py ASEM_DIR

1. The demo scored from DataFrames: the call's wall time against the library's own time in the
   same call (`Results.library_seconds`: resolving, reading and scoring, in Rust).
2. A batch of 6,000 what-if scenarios on ASEM (seeded random weights of its pillars and
   sub-pillars), returning the index ranks as one table.
3. One what-if call: its wall time against the library's time for the scenario.
"""

import statistics
import sys
import time

import numpy as np
import pandas as pd

import accord


def median_ms(xs):
    return statistics.median(xs) * 1e3


def spread(xs, digits=2):
    """Median and minimum in ms: on a shared machine the minimum is the least disturbed run."""
    return f"{median_ms(xs):.{digits}f} (min {min(xs) * 1e3:.{digits}f})"


def demo(repeat=50):
    d = "data/demo/"
    ev = pd.read_csv(d + "evidence.csv", dtype=str, keep_default_na=False)
    ju = pd.read_csv(d + "jurisdictions.csv", dtype=str, keep_default_na=False)
    dy = pd.read_csv(d + "dyads.csv", dtype=str, keep_default_na=False)
    wall, lib = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        r = accord.score(evidence=ev, jurisdictions=ju, dyads=dy)
        wall.append(time.perf_counter() - t)
        lib.append(r.library_seconds)
    over = [w - l for w, l in zip(wall, lib)]
    print(f"demo from DataFrames ({len(ev)} evidence rows), median of {repeat}: "
          f"call {spread(wall)} ms, library {spread(lib)} ms, overhead {spread(over)} ms")


def asem(folder, n=6000, repeat=10):
    r = accord.score(rubric=f"{folder}/rubric.toml", evidence=f"{folder}/evidence.csv",
                     jurisdictions=f"{folder}/jurisdictions.csv")
    nodes = [i for i, kind in r._run.nodes()[1:]]
    rng = np.random.default_rng(1)
    scenarios = [{"weights": dict(zip(nodes, rng.uniform(0.5, 1.5, len(nodes)).round(6)))}
                 for _ in range(n)]
    r.rescore_many(scenarios[:10])  # the baseline, made once on the first what-if call
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        table = r.rescore_many(scenarios)
        times.append(time.perf_counter() - t)
    print(f"ASEM: {n} what-if scenarios (weights of {len(nodes)} nodes) -> ranks table "
          f"{table.shape}, median of {repeat}: {spread(times, 0)} ms")
    wall, lib = [], []
    for s in scenarios[:200]:
        t = time.perf_counter()
        one = r.rescore(weights=s["weights"])
        wall.append(time.perf_counter() - t)
        lib.append(one.attrs["library_seconds"])
    over = [w - l for w, l in zip(wall, lib)]
    print(f"ASEM: one what-if call (rescore), median of 200: call {spread(wall, 3)} ms, "
          f"library {spread(lib, 3)} ms, overhead {spread(over, 3)} ms")


if __name__ == "__main__":
    demo()
    asem(sys.argv[1])
