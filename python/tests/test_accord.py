"""The Python package against the command line: the same folders byte for byte, the same values
in the DataFrames, DataFrame input equal to the CSV it was read from, bad frames refused with
their rows named, and the documented types.

The command line is the binary named by ACCORD_BIN (default: target/release/accord, built by
`cargo build --release`)."""

import datetime
import math
import os
import pathlib
import subprocess

import pandas as pd
import pytest

import accord

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("ACCORD_BIN", ROOT / "target" / "release" / "accord"))


def cli(*args, cwd=ROOT):
    if not BIN.exists():
        pytest.fail(f"no accord binary at {BIN}: run `cargo build --release` or set ACCORD_BIN")
    return subprocess.run([str(BIN), *map(str, args)], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def same_folders(a: pathlib.Path, b: pathlib.Path):
    names_a = sorted(p.name for p in a.iterdir())
    names_b = sorted(p.name for p in b.iterdir())
    assert names_a == names_b
    for name in names_a:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def same_values(results: accord.Results, folder: pathlib.Path):
    """The DataFrames hold the values the CLI's CSV files hold (the CSV writes every double in
    its shortest form that reads back exactly, so equality is exact)."""
    want = pd.read_csv(folder / "scores.csv", keep_default_na=False, na_values=["NA"])
    got = results.scores.reset_index()
    assert list(got["jurisdiction"]) == list(want["jurisdiction"])
    assert list(got["node"]) == list(want["node"])
    for col in ("score", "coverage"):
        for x, y in zip(got[col], want[col]):
            assert (math.isnan(x) and math.isnan(y)) or x == y
    assert [None if pd.isna(x) else int(x) for x in got["rank"]] == [
        None if pd.isna(x) else int(x) for x in want["rank"]
    ]
    matrix = pd.read_csv(folder / "matrix_principles.csv", keep_default_na=False, na_values=["NA"])
    matrix = matrix.set_index("jurisdiction")
    pd.testing.assert_frame_equal(results.principles, matrix, check_dtype=False)


def test_default_matches_the_command_line(tmp_path, monkeypatch):
    # Outside the repository: both read the default built into accord.
    monkeypatch.chdir(tmp_path)
    out = cli("score", "--out", "cli", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    r = accord.score()
    assert r.write("py") == 6
    same_folders(tmp_path / "cli", tmp_path / "py")
    same_values(r, tmp_path / "cli")


def test_demo_matches_the_command_line(tmp_path, at_root):
    out = cli("score", "--data", "data/demo", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    r = accord.score(data="data/demo")
    r.write(tmp_path / "py")
    same_folders(tmp_path / "cli", tmp_path / "py")
    same_values(r, tmp_path / "cli")


def test_write_refuses_an_existing_folder_unless_forced(tmp_path, at_root):
    r = accord.score(data="data/demo")
    r.write(tmp_path / "out")
    with pytest.raises(accord.InputError) as e:
        r.write(tmp_path / "out")
    assert "already exists" in str(e.value)
    assert r.write(tmp_path / "out", force=True) == 6


def test_settings_and_dates_match_the_command_line(tmp_path, at_root):
    args = ["--data", "data/demo", "--as-of", "2021-11-10", "--set", "pipeline.normalise.method=n_zscore"]
    out = cli("score", *args, "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    r = accord.score(data="data/demo", as_of=datetime.date(2021, 11, 10),
                     settings={"pipeline.normalise.method": "n_zscore"})
    r.write(tmp_path / "py")
    same_folders(tmp_path / "cli", tmp_path / "py")
    assert r.as_of == datetime.date(2021, 11, 10)


@pytest.fixture(scope="module")
def asem(tmp_path_factory):
    """COINr's ASEM example, imported by the command line."""
    d = tmp_path_factory.mktemp("asem")
    out = cli("import-coinr", "--idata", "tests/fixtures/coinr/ASEM_iData.csv",
              "--imeta", "tests/fixtures/coinr/ASEM_iMeta.csv", "--out", d / "in")
    assert out.returncode == 0, out.stderr
    return d / "in"


def asem_args(asem):
    return dict(rubric=asem / "rubric.toml", evidence=asem / "evidence.csv",
                jurisdictions=asem / "jurisdictions.csv")


def test_asem_matches_the_command_line(tmp_path, asem, at_root):
    a = asem_args(asem)
    out = cli("score", "--rubric", a["rubric"], "--evidence", a["evidence"],
              "--jurisdictions", a["jurisdictions"], "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    r = accord.score(**a)
    r.write(tmp_path / "py")
    same_folders(tmp_path / "cli", tmp_path / "py")
    want = pd.read_csv(tmp_path / "cli" / "scores.csv", keep_default_na=False, na_values=["NA"])
    got = r.scores.reset_index()
    assert list(got["score"].fillna(-1)) == list(want["score"].fillna(-1))


def test_asem_index_matches_coinr(asem, at_root):
    # COINr's own aggregated index for ASEM (tests/fixtures/coinr/asem_Aggregated.csv).
    coinr = pd.read_csv(ROOT / "tests/fixtures/coinr/asem_Aggregated.csv")
    coinr = coinr.set_index("uCode")["Index"]
    r = accord.score(**asem_args(asem))
    idx = r.scores
    idx = idx[idx["kind"] == "index"]["score"]
    for code, want in coinr.items():
        assert idx[code] == pytest.approx(want, rel=1e-9, abs=1e-9)


def read_text_frame(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def demo_paths():
    d = ROOT / "data" / "demo"
    return d / "evidence.csv", d / "jurisdictions.csv", d / "dyads.csv"


def frames_equal(a: accord.Results, b: accord.Results):
    for name in ("scores", "ranking", "principles", "dimensions", "cells"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_a_dataframe_gives_the_results_of_its_csv(at_root):
    ev, ju, dy = demo_paths()
    from_files = accord.score(evidence=ev, jurisdictions=ju, dyads=dy)
    as_text = accord.score(evidence=read_text_frame(ev), jurisdictions=read_text_frame(ju),
                           dyads=read_text_frame(dy))
    frames_equal(from_files, as_text)
    # Read with pandas' own types (NaN for empty cells, dates parsed): the same results.
    typed = pd.read_csv(ev, parse_dates=["as_of"])
    assert pd.api.types.is_datetime64_any_dtype(typed["as_of"])
    frames_equal(from_files, accord.score(evidence=typed, jurisdictions=pd.read_csv(ju),
                                          dyads=pd.read_csv(dy)))


def test_a_wide_dataframe_is_read_as_the_wide_form(at_root):
    ev, ju, dy = demo_paths()
    long = read_text_frame(ev)
    # The wide form (one column per field) of undated evidence without notes.
    undated = long[long["as_of"] == ""]
    wide = undated.pivot(index="jurisdiction", columns="criterion", values="value").reset_index()
    wide.columns.name = None
    wide = wide.fillna("")
    wide_r = accord.score(evidence=wide, jurisdictions=ju, dyads=dy)
    long_r = accord.score(evidence=undated, jurisdictions=ju, dyads=dy)
    pd.testing.assert_frame_equal(wide_r.scores, long_r.scores)


def test_the_manifest_says_a_frame_came_from_memory(tmp_path, at_root):
    import hashlib
    import json

    ev, ju, dy = demo_paths()
    r = accord.score(evidence=read_text_frame(ev), jurisdictions=ju, dyads=dy)
    r.write(tmp_path / "out")
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    rec = m["inputs"]["evidence"]
    assert rec["path"] == "DataFrame evidence"
    # The frame read as text is written back as the same CSV text: the same hash.
    assert rec["sha256"] == hashlib.sha256(ev.read_bytes()).hexdigest()


def bad(frame, **kw):
    ev, ju, dy = demo_paths()
    with pytest.raises(accord.InputError) as e:
        accord.score(evidence=frame, jurisdictions=ju, dyads=dy, **kw)
    return e.value


def test_a_bad_dataframe_names_its_row_and_column(tmp_path, at_root):
    ev, _, _ = demo_paths()
    frame = read_text_frame(ev)
    frame.index = [f"r{i}" for i in range(len(frame))]
    # An unknown criterion on the row labelled r3.
    f = frame.copy()
    f.loc["r3", "criterion"] = "no_such_criterion"
    e = bad(f)
    p = e.problems[0]
    assert p["source"] == "DataFrame evidence"
    assert p["row"] == "r3" and p["line"] == 5
    assert p["column"] == "criterion"
    assert "no_such_criterion" in p["message"]
    assert "the frame's row 'r3'" in str(e)
    # A label that is not one of the field's levels.
    f = frame.copy()
    f.loc["r0", "value"] = "halfway"
    p = bad(f).problems[0]
    assert p["row"] == "r0" and p["column"] == "value"
    assert "not a level" in p["message"]
    # A duplicate: a jurisdiction listed twice in a jurisdictions frame.
    _, ju, dy = demo_paths()
    j = read_text_frame(ju)
    j = pd.concat([j, j.iloc[[4]]], ignore_index=True)
    with pytest.raises(accord.InputError) as e:
        accord.score(evidence=ev, jurisdictions=j, dyads=dy)
    p = e.value.problems[0]
    assert p["source"] == "DataFrame jurisdictions"
    assert "listed twice" in p["message"]
    assert p["row"] == len(j) - 1 and p["column"] == "code"
    # Nothing was written anywhere: the call raised before any results existed.
    assert list(tmp_path.iterdir()) == []


def test_input_error_text_is_the_command_lines(tmp_path, at_root):
    bad_csv = tmp_path / "evidence.csv"
    bad_csv.write_text("jurisdiction,criterion,value,source,as_of,note\nXAL,nope,yes,s,,\n")
    out = cli("score", "--evidence", bad_csv, "--out", tmp_path / "cli")
    assert out.returncode == 2
    with pytest.raises(accord.InputError) as e:
        accord.score(evidence=bad_csv)
    assert str(e.value) == out.stderr
    assert not (tmp_path / "cli").exists()


def test_types_are_as_documented(at_root):
    r = accord.score(data="data/demo")
    s = r.scores
    assert s.index.name == "jurisdiction"
    assert all(isinstance(c, str) for c in s.index)
    assert s["score"].dtype == "float64" and s["coverage"].dtype == "float64"
    assert str(s["rank"].dtype) == "Int64"
    # Two demo jurisdictions have too little evidence for an index score: NaN, rank NA.
    idx = s[s["kind"] == "index"]
    assert idx["score"].isna().sum() == 2
    assert idx["rank"].isna().sum() == 2
    assert isinstance(r.as_of, datetime.date)
    assert r.as_of == datetime.date(2025, 12, 31)
    assert list(r.principles.columns) == [f"P{i}" for i in range(1, 10)]
    cov = r.coverage("principle")
    assert cov.shape == r.principles.shape
    # A run of several dates: every table's as_of column holds datetime.date objects.
    two = accord.score(data="data/demo", as_of=["2018-11-12", "2025-12-25"])
    for t in (two.scores, two.ranking, two.principles):
        assert {type(d) for d in t["as_of"]} == {datetime.date}
    assert sorted(set(two.scores["as_of"])) == two.dates


def test_explain_contributions_sum_to_the_score(at_root):
    r = accord.score(data="data/demo")
    for code, node in [("XAL", None), ("XAL", "P1"), ("XJO", "P9")]:
        e = r.explain(code, node)
        assert e["contribution"].sum() == pytest.approx(e.attrs["score"], abs=1e-9)
    with pytest.raises(accord.InputError):
        r.explain("NOWHERE")


def test_what_if_equals_scoring_again(at_root):
    r = accord.score(data="data/demo")
    # No change: the baseline's ranks.
    same = r.rescore()
    assert (same["rank"].fillna(-1) == same["baseline_rank"].fillna(-1)).all()
    # A setting changed in place equals a full run with that setting.
    setting = {"pipeline.normalise.method": "n_zscore"}
    what_if = r.rescore(settings=setting)
    full = accord.score(data="data/demo", settings=setting).scores
    full = full[full["kind"] == "index"]
    assert list(what_if.index) == list(full.index)
    for x, y in zip(what_if["score"], full["score"]):
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12)
    # A weight: the same as writing it into the rubric with --set.
    w = r.rescore(weights={"P9": 3.0})
    full = accord.score(data="data/demo", settings={"node.P9.weight": 3.0}).scores
    full = full[full["kind"] == "index"]
    for x, y in zip(w["score"], full["score"]):
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12)


def test_a_batch_of_scenarios_is_one_table_of_ranks(at_root):
    r = accord.score(data="data/demo")
    scenarios = [{}, {"weights": {"P1": 2.0}}, {"settings": {"pipeline.normalise.method": "n_zscore"}},
                 {"settings": {"pipeline.normalise.method": "n_zscore"}, "weights": {"P1": 2.0}}]
    t = r.rescore_many(scenarios)
    assert t.shape == (4, 48)
    assert str(t.dtypes.iloc[0]) == "Int64"
    for i, s in enumerate(scenarios):
        one = r.rescore(**s)["rank"]
        assert list(t.iloc[i][one.index].fillna(-1)) == list(one.fillna(-1))
    with pytest.raises(accord.InputError):
        r.rescore_many([{"weights": {"nothing": 1.0}}])


def test_html_display_escapes_text(at_root):
    ev, ju, dy = demo_paths()
    j = read_text_frame(ju)
    j.loc[0, "name"] = "<script>alert(1)</script>"
    r = accord.score(evidence=ev, jurisdictions=j, dyads=dy)
    page = r._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page or "alert" not in page


def test_internal_and_input_errors_are_distinct_classes():
    assert not issubclass(accord.InputError, accord.InternalError)
    assert not issubclass(accord.InternalError, accord.InputError)


def test_several_dates_match_the_command_line(tmp_path, at_root):
    out = cli("score", "--data", "data/demo", "--as-of", "2018-11-12,2024-06-20", "--out", tmp_path / "cli")
    assert out.returncode == 0, out.stderr
    r = accord.score(data="data/demo", as_of=["2018-11-12", datetime.date(2024, 6, 20)])
    r.write(tmp_path / "py")
    same_folders(tmp_path / "cli", tmp_path / "py")
    assert r.dates == [datetime.date(2018, 11, 12), datetime.date(2024, 6, 20)]
    assert "as_of" in r.scores.columns


def test_what_if_on_several_dates_is_each_dates_what_if(at_root):
    """On a run of two dates, rescore and rescore_many give each date's rows, equal to those of
    the run of that date alone; no change gives the baseline ranks."""
    import datetime

    days = [datetime.date(2018, 11, 12), datetime.date(2025, 12, 25)]
    both = accord.score(data="data/demo", as_of=days)
    assert "on 2 dates (2018-11-12, 2025-12-25)" in repr(both)
    change = {"weights": {"P9": 3}}
    got = both.rescore(**change)
    many = both.rescore_many([{}, change])
    assert list(many.index.names) == ["scenario", "as_of"]
    assert list(many.index) == [(0, days[0]), (0, days[1]), (1, days[0]), (1, days[1])]
    same = both.rescore()
    assert (same["rank"] == same["baseline_rank"]).all()
    for day in days:
        alone = accord.score(data="data/demo", as_of=day)
        want = alone.rescore(**change)
        mine = got[got["as_of"] == day].drop(columns="as_of")
        pd.testing.assert_frame_equal(mine, want, check_like=False)
        alone_many = alone.rescore_many([{}, change])
        rows = many.xs(day, level="as_of")
        pd.testing.assert_frame_equal(rows, alone_many)
    # The two dates differ, so the rows are not one date's repeated.
    assert not got[got["as_of"] == days[0]]["score"].equals(got[got["as_of"] == days[1]]["score"])
