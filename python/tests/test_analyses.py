"""The analyses from Python against the command line: audit, agreement, sensitivity, align and
compare write the folders the binary writes, byte for byte; their DataFrames hold the values of the
binary's CSV files; their summaries are the binary's printed text; and a long sensitivity run
reports progress and stops on Ctrl-C or on an exception from its progress callback."""

import _thread
import datetime
import math
import re
import sys
import threading
import time

import pandas as pd
import pytest

import accord
from test_accord import ROOT, asem, asem_args, at_root, cli, same_folders  # noqa: F401

# What the command line prints after the summary: the folder it wrote.
WROTE = re.compile(r"wrote (\d+ files to )?[^\n]*/\n\Z")
# The elapsed time and the time per run in a sensitivity summary.
TIMING = re.compile(r" in [0-9.]+ s \([^)]*\)")


def summary_of(stdout: str) -> str:
    """The command line's printed summary without its last line."""
    assert WROTE.search(stdout), stdout
    return WROTE.sub("", stdout)


def same_table(got: pd.DataFrame, path):
    """A DataFrame holds the values of a CSV file of the command line: the same columns in order,
    the same rows, numbers equal exactly (the CSV writes each double in its shortest form that
    reads back exactly), NA and empty cells missing, text equal."""
    want = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(got.columns) == list(want.columns), path.name
    assert len(got) == len(want), path.name
    for col in want.columns:
        boolean = pd.api.types.is_bool_dtype(got[col])
        numeric = pd.api.types.is_numeric_dtype(got[col]) and not boolean
        for i, (x, y) in enumerate(zip(got[col], want[col])):
            where = f"{path.name} row {i} column {col}: {x!r} vs {y!r}"
            if y in ("NA", ""):
                assert x is None or pd.isna(x) or x == y, where
            elif numeric:
                assert not pd.isna(x) and float(x) == float(y), where
            elif boolean:
                assert str(x).lower() == y.lower(), where
            elif isinstance(x, datetime.date):
                # A date column (the schema's dates) holds datetime.date.
                assert x.isoformat() == y, where
            else:
                assert x == y, where


def same_as_cli(analysis: accord.Analysis, folder, stdout: str, tmp_path, timing=False):
    """Folder byte for byte, every table value by value, and the summary."""
    analysis.write(tmp_path / "py")
    same_folders(folder, tmp_path / "py")
    tables = analysis.tables
    csvs = sorted(p.stem for p in folder.iterdir() if p.suffix == ".csv")
    assert sorted(tables) == csvs
    for name, df in tables.items():
        same_table(df, folder / f"{name}.csv")
    want = summary_of(stdout)
    got = analysis.summary
    if timing:
        want, got = TIMING.sub("", want), TIMING.sub("", got)
    assert got == want


def test_audit_matches_the_command_line(tmp_path, at_root):
    out = cli("audit", "--data", "data/demo", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(data="data/demo").audit()
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)
    assert a["stats"]["n_avail"].dtype == "Int64"
    assert a["stats"]["mean"].dtype == "float64"


def test_audit_at_a_stage_matches_the_command_line(tmp_path, at_root):
    out = cli("audit", "--data", "data/demo", "--stage", "normalised", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(data="data/demo").audit(stage="normalised")
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)


def test_audit_refuses_an_unknown_stage(at_root):
    with pytest.raises(accord.InputError, match="not a stage"):
        accord.score(data="data/demo").audit(stage="cooked")


def test_agreement_matches_the_command_line(tmp_path, at_root):
    args = ["--rubric", "tests/fixtures/mini/rubric.toml", "--data", "tests/fixtures/coders"]
    out = cli("agreement", *args, "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(rubric="tests/fixtures/mini/rubric.toml", data="tests/fixtures/coders").agreement()
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)
    assert len(a["disagreements"]) > 0


def test_agreement_needs_coders(at_root):
    with pytest.raises(accord.InputError, match="coder"):
        accord.score(data="data/demo").agreement()


def test_align_matches_the_command_line(tmp_path, at_root):
    out = cli("align", "--data", "data/demo", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(data="data/demo").align()
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)
    # The full matrices and the cooperation networks, as the command writes them.
    for name in ("alignment", "alignment_pairs", "clusters", "cooperation_extradition",
                 "cooperation_legal_assistance", "cooperation", "network"):
        assert name in a.tables, name
    assert "neighbours" not in a.tables
    assert a.command == "align"


def test_align_with_top_matches_the_command_line(tmp_path, at_root):
    out = cli("align", "--data", "data/demo", "--top", "3", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(data="data/demo").align(top=3)
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)
    assert "alignment" not in a.tables
    # At most 3 neighbours each, ranked from 1.
    ranks = a["neighbours"].groupby("jurisdiction")["rank"].max()
    assert ranks.max() <= 3 and a["neighbours"]["rank"].min() == 1


def test_align_with_a_reference_matches_the_command_line(tmp_path, at_root):
    flags = ["--level", "criterion", "--metric", "kappa", "--reference", "XBO"]
    out = cli("align", "--data", "data/demo", *flags, "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    a = accord.score(data="data/demo").align(level="criterion", metric="kappa", reference="XBO")
    same_as_cli(a, tmp_path / "cli", out.stdout, tmp_path)
    # Every other scored jurisdiction is ranked against XBO, XBO itself not.
    assert "XBO" not in set(a["reference_alignment"]["jurisdiction"])
    assert len(a["reference_alignment"]) == len(a["clusters"]) - 1


def test_align_refuses_bad_options(at_root):
    r = accord.score(data="data/demo")
    with pytest.raises(accord.InputError, match="not a metric"):
        r.align(metric="nearness")
    with pytest.raises(accord.InputError, match="not a level"):
        r.align(level="galaxy")
    with pytest.raises(accord.InputError, match="`top` is at least 1"):
        r.align(top=0)
    with pytest.raises(accord.InputError, match="`clusters` is at least 1"):
        r.align(clusters=0)
    with pytest.raises(accord.InputError, match="ZZZ"):
        r.align(reference="ZZZ")


def test_compare_rubrics_matches_the_command_line(tmp_path, at_root):
    a, b = "rubrics/paris-call.toml", "rubrics/paris-call-strict.toml"
    out = cli("compare", a, b, "--data", "data/demo", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    c = accord.compare(a, b, data="data/demo")
    same_as_cli(c, tmp_path / "cli", out.stdout, tmp_path)
    assert "biggest movers" in c.summary


def test_compare_dates_matches_the_command_line(tmp_path, at_root):

    out = cli("compare", "2018-11-12", "2025-12-25", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    c = accord.compare(datetime.date(2018, 11, 12), "2025-12-25")
    same_as_cli(c, tmp_path / "cli", out.stdout, tmp_path)


def demo_frames():
    d = ROOT / "data" / "demo"
    read = lambda name: pd.read_csv(d / name, dtype=str, keep_default_na=False)  # noqa: E731
    return read("evidence.csv"), d / "jurisdictions.csv", d / "dyads.csv"


def manifest_without_memory(folder):
    import json

    m = json.loads((folder / "manifest.json").read_text())
    return {k: v for k, v in m.items() if k != "memory"}, m.get("memory")


def test_compare_two_evidence_frames_is_the_comparison_of_their_files(tmp_path, at_root):
    import hashlib
    import json

    ev, ju, dy = demo_frames()
    # B: Aldora recodes its 24/7 contact point and loses its CSIRT's evidence.
    b = ev.copy()
    aldora = b["jurisdiction"] == "XAL"
    b.loc[aldora & (b["criterion"] == "contact_point_24_7"), "value"] = "yes"
    b = b[~(aldora & (b["criterion"] == "national_csirt"))]
    assert len(b) < len(ev)
    ev.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    out = cli("compare", tmp_path / "a.csv", tmp_path / "b.csv", "--jurisdictions", ju,
              "--dyads", dy, "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    c = accord.compare(ev, b, jurisdictions=ju, dyads=dy)
    c.write(tmp_path / "py")
    for name in ("rank_shifts.csv", "score_deltas.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
        same_table(c[name[:-4]], tmp_path / "cli" / name)
    assert (c["rank_shifts"]["shift"] != 0).any()
    # The summary and the manifest name the frames where the command names the files.
    files = summary_of(out.stdout).replace(str(tmp_path / "a.csv"), "DataFrame A")
    assert c.summary == files.replace(str(tmp_path / "b.csv"), "DataFrame B")
    py, memory = manifest_without_memory(tmp_path / "py")
    want, none = manifest_without_memory(tmp_path / "cli")
    assert none is None
    assert (py["a"], py["b"]) == ("DataFrame A", "DataFrame B")
    for k in ("kind", "set", "schema", "command"):
        assert py[k] == want[k], k
    # Each frame read as text is written back as the CSV text pandas wrote: the same hash.
    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert memory == [
        {"path": "DataFrame A", "sha256": sha(tmp_path / "a.csv")},
        {"path": "DataFrame B", "sha256": sha(tmp_path / "b.csv")},
    ]
    summary = json.loads((tmp_path / "py" / "summary.json").read_text())
    assert (summary["label_a"], summary["label_b"]) == ("DataFrame A", "DataFrame B")


def test_compare_rubrics_on_an_evidence_frame_is_the_comparison_on_its_file(tmp_path, at_root):
    import hashlib

    ev, ju, dy = demo_frames()
    a, b = "rubrics/paris-call.toml", "rubrics/paris-call-strict.toml"
    path = ROOT / "data" / "demo" / "evidence.csv"
    out = cli("compare", a, b, "--evidence", path, "--jurisdictions", ju, "--dyads", dy,
              "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    c = accord.compare(a, b, evidence=ev, jurisdictions=ju, dyads=dy)
    c.write(tmp_path / "py")
    for name in ("rank_shifts.csv", "score_deltas.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    # summary.json names the frame where the command names the file.
    got = (tmp_path / "py" / "summary.json").read_text()
    want = (tmp_path / "cli" / "summary.json").read_text()
    assert got == want.replace(str(path), "DataFrame evidence")
    assert "DataFrame evidence" in got
    assert c.summary == summary_of(out.stdout)
    py, memory = manifest_without_memory(tmp_path / "py")
    want, _ = manifest_without_memory(tmp_path / "cli")
    # The manifests differ in the memory record and the hash of summary.json (above).
    for m in (py, want):
        del m["outputs"]["summary.json"]["sha256"]
    assert py == want
    assert memory == [
        {"path": "DataFrame evidence", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    ]


def test_compare_names_a_bad_frames_row_and_writes_nothing(tmp_path, at_root):
    ev, ju, dy = demo_frames()
    b = ev.copy()
    b.loc[7, "value"] = "halfway"
    with pytest.raises(accord.InputError) as e:
        accord.compare(ev, b, jurisdictions=ju, dyads=dy)
    p = e.value.problems[0]
    assert (p["source"], p["row"], p["column"]) == ("DataFrame B", 7, "value")
    assert "halfway" in p["message"]
    assert "DataFrame B" in str(e.value)
    assert not any(tmp_path.iterdir())


def test_compare_takes_two_frames_or_neither(at_root):
    ev, ju, dy = demo_frames()
    with pytest.raises(TypeError, match="two DataFrames, or neither"):
        accord.compare(ev, "data/demo/evidence.csv", jurisdictions=ju)


def test_compare_refuses_two_kinds_of_thing(at_root):
    with pytest.raises(accord.InputError, match="not the same kind of thing"):
        accord.compare("rubrics/paris-call.toml", "2020-01-01")


def test_sensitivity_matches_the_command_line(tmp_path, at_root):
    out = cli("sensitivity", "--data", "data/demo", "--runs", "12", "--seed", "3",
              "--bootstrap", "20", "--runs-csv", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    s = accord.score(data="data/demo").sensitivity(runs=12, seed=3, bootstrap=20, runs_csv=True)
    same_as_cli(s, tmp_path / "cli", out.stdout, tmp_path, timing=True)
    assert set(s.tables) >= {"rank_intervals", "sensitivity_indices", "runs"}


def test_sensitivity_of_asem_matches_the_command_line(tmp_path, asem, at_root):
    a = asem_args(asem)
    spec = ROOT / "tests/fixtures/coinr/sa_vignette.toml"
    out = cli("sensitivity", "--rubric", a["rubric"], "--evidence", a["evidence"],
              "--jurisdictions", a["jurisdictions"], "--spec", spec, "--runs", "10", "--seed", "1",
              "--bootstrap", "10", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    s = accord.score(**a).sensitivity(spec=spec, runs=10, seed=1, bootstrap=10)
    same_as_cli(s, tmp_path / "cli", out.stdout, tmp_path, timing=True)


def test_sensitivity_refuses_bad_options(at_root):
    r = accord.score(data="data/demo")
    with pytest.raises(accord.InputError, match="more than the limit"):
        r.sensitivity(runs=10_000_000)
    with pytest.raises(accord.InputError, match="not a design"):
        r.sensitivity(design="xx")


def test_progress_counts_up_to_the_total(at_root):
    calls = []
    s = accord.score(data="data/demo").sensitivity(runs=40, seed=2, bootstrap=0,
                                                   progress=lambda d, t: calls.append((d, t)))
    assert calls, "the callback was never called"
    totals = {t for _, t in calls}
    assert len(totals) == 1
    total = totals.pop()
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total
    assert len(s["rank_intervals"]) > 0


def test_progress_true_without_tqdm_writes_a_line(at_root, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    accord.score(data="data/demo").sensitivity(runs=10, bootstrap=0, progress=True)
    err = capsys.readouterr().err
    assert re.search(r"sensitivity: (\d+)/\1 runs\n\Z", err), err


# A run long enough to be stopped well before its end (demo, N = 20000: hundreds of thousands
# of regenerations, many seconds on two cores).
LONG = dict(runs=20_000, seed=1, bootstrap=0)


def test_an_exception_from_progress_stops_the_run(at_root):
    r = accord.score(data="data/demo")
    seen = []

    def stop(done, total):
        seen.append((done, total))
        if len(seen) == 2:
            raise RuntimeError("enough")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="enough"):
        r.sensitivity(progress=stop, **LONG)
    assert len(seen) == 2
    done, total = seen[-1]
    assert done < total
    assert time.monotonic() - start < 30


def test_ctrl_c_stops_the_run(at_root):
    r = accord.score(data="data/demo")
    seen = []
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            r.sensitivity(progress=lambda d, t: seen.append((d, t)), **LONG)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - start
    assert seen and seen[-1][0] < seen[-1][1], "the run had finished before Ctrl-C"
    assert elapsed < 10, elapsed
    # The run is usable afterwards: the next analysis runs to its end.
    assert len(r.sensitivity(runs=5, bootstrap=0)["rank_intervals"]) > 0
    assert not math.isnan(elapsed)


def test_an_analysis_displays_as_escaped_html(tmp_path, at_root):
    ju = pd.read_csv("data/demo/jurisdictions.csv", dtype=str, keep_default_na=False)
    ju.loc[ju["code"] == "XAL", "name"] = "<script>alert(1)</script>"
    ju.to_csv(tmp_path / "jurisdictions.csv", index=False)
    c = accord.compare(
        "rubrics/paris-call.toml",
        "rubrics/paris-call-strict.toml",
        evidence="data/demo/evidence.csv",
        jurisdictions=tmp_path / "jurisdictions.csv",
        dyads="data/demo/dyads.csv",
    )
    page = c._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for name, t in c.tables.items():
        assert f"<code>{name}</code>: {len(t)} rows x {len(t.columns)} columns" in page


def test_every_folder_kind_writes_the_command_lines_parquet_folder(tmp_path, at_root):
    """``format="parquet"`` writes the folder ``--format parquet`` writes, byte for byte: score,
    audit, agreement, align (full and ``--top``), sensitivity and compare."""
    demo = accord.score(data="data/demo")
    coders = ["--rubric", "tests/fixtures/mini/rubric.toml", "--data", "tests/fixtures/coders"]
    cases = [
        (["score", "--data", "data/demo"], demo),
        (["audit", "--data", "data/demo"], demo.audit()),
        (["agreement", *coders],
         accord.score(rubric="tests/fixtures/mini/rubric.toml", data="tests/fixtures/coders").agreement()),
        (["align", "--data", "data/demo"], demo.align()),
        (["align", "--data", "data/demo", "--top", "3"], demo.align(top=3)),
        (["sensitivity", "--data", "data/demo", "--runs", "6", "--seed", "3", "--bootstrap", "5"],
         demo.sensitivity(runs=6, seed=3, bootstrap=5)),
        (["compare", "rubrics/paris-call.toml", "rubrics/paris-call-strict.toml", "--data", "data/demo"],
         accord.compare("rubrics/paris-call.toml", "rubrics/paris-call-strict.toml", data="data/demo")),
    ]
    for i, (args, got) in enumerate(cases):
        want = tmp_path / f"cli{i}"
        out = cli(*args, "--format", "parquet", "--out", want)
        assert out.returncode == 0, out.stderr
        n = got.write(tmp_path / f"py{i}", format="parquet")
        same_folders(want, tmp_path / f"py{i}")
        names = sorted(p.name for p in want.iterdir())
        assert n == len(names) and any(x.endswith(".parquet") for x in names), names
        assert not any(x.endswith(".csv") for x in names), names
        assert sorted(got.files("parquet")) == names
        # The CSV folder is still the default.
        assert all(not x.endswith(".parquet") for x in got.files())


def test_an_unknown_format_is_an_input_error(tmp_path, at_root):
    r = accord.score(data="data/demo")
    for target in (r, r.audit()):
        with pytest.raises(accord.InputError, match="not a table format"):
            target.write(tmp_path / "out", format="xlsx")
    assert not (tmp_path / "out").exists()
