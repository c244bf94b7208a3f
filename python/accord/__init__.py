"""accord in Python: score jurisdictions against a policy rubric (the Paris Call for Trust and
Security in Cyberspace by default) from coded evidence, with pandas DataFrames in and out.

The numbers are the command line's: the package calls the same library (the Rust crate), so
``accord.score(...).write("results")`` writes the folder ``accord score --out results`` writes.

    >>> import accord
    >>> r = accord.score()                      # the shipped default rubric and data
    >>> r.ranking.head()                        # best first, indexed by jurisdiction code
    >>> r.explain("USA", "P9")                  # contributions that sum to the score
    >>> r.rescore(weights={"P9": 2}).head()     # what-if, on the cached pipeline stages
    >>> r.audit()["stats"]                      # the analyses: accord audit, agreement,
    >>> r.sensitivity(runs=50, progress=True)   # sensitivity, and accord.compare(a, b, ...)

Missing values: scores and coverage are floats with NaN for missing; ranks and other whole
numbers are pandas' nullable ``Int64`` with ``pd.NA``; codes and names are ``str``; the
evaluation date is a ``datetime.date``.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import json as _json
import os as _os
import sys as _sys
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import pandas as _pd

from . import _accord

__all__ = ["score", "compare", "Results", "Analysis", "InputError", "InternalError", "__version__"]
__version__: str = _accord.__version__


class InputError(ValueError):
    """Bad input: every problem found, as the command line reports them.

    ``problems`` is a list of dicts, one per problem, with the keys ``source`` (the file, or
    ``"DataFrame evidence"`` and the like for a frame), ``line`` (1-based, in the file or in the
    frame's CSV text), ``row`` (for a DataFrame: the row's index label, else None),
    ``column`` (the CSV field or TOML key, where known), ``position`` (the character column),
    ``message``, ``help`` and ``related``. ``str(e)`` is the command line's rendering of the
    problems (as it prints them to a file or pipe), followed, for a DataFrame, by the row labels
    the lines stand for.
    """

    def __init__(self, problems: list, rendered: str):
        super().__init__(rendered)
        self.problems = problems
        self.rendered = rendered

    def __str__(self) -> str:
        return self.rendered


class InternalError(RuntimeError):
    """A fault inside accord (a bug, never bad input): please report it with its inputs."""


PathLike = Union[str, "_os.PathLike[str]"]
Table = Union[PathLike, _pd.DataFrame]


def _cells(col: _pd.Series) -> list:
    """A column's cells for the CSV text (``_accord.frame_csv`` turns each into text: missing
    as empty, whole floats without ``.0``, dates as YYYY-MM-DD)."""
    if _pd.api.types.is_datetime64_any_dtype(col.dtype):
        return col.dt.strftime("%Y-%m-%d").tolist()
    return col.tolist()


class _Lines:
    """Which row label each line of a frame's CSV text stands for."""

    def __init__(self, labels: list, starts: Optional[list]):
        self.labels = labels
        self.starts = starts  # the line each row starts on, when a cell holds a line break
        self._map: Optional[dict] = None

    def _built(self) -> dict:
        if self._map is None:
            starts = self.starts or range(2, len(self.labels) + 2)
            self._map = dict(zip(starts, self.labels))
        return self._map

    def __contains__(self, line: int) -> bool:
        return line in self._built()

    def get(self, line: int):
        return self._built().get(line)


def _frame_csv(df: _pd.DataFrame, what: str) -> tuple:
    """A DataFrame as CSV bytes, named ``DataFrame <what>``, and the row label of each line."""
    if not isinstance(df.index, _pd.RangeIndex) and any(n is not None for n in df.index.names):
        df = df.reset_index()
    columns = [_cells(df.iloc[:, i]) for i in range(df.shape[1])]
    header = [str(c) for c in df.columns]
    body, starts = _accord.frame_csv(header, columns, [_pd.NA, _pd.NaT])
    return (f"DataFrame {what}", body), _Lines(list(df.index), starts)


def _input(table: Optional[Table], what: str, lines: dict) -> tuple:
    """(path, in-memory table) for one input."""
    if table is None:
        return None, None
    if isinstance(table, _pd.DataFrame):
        given, by_line = _frame_csv(table, what)
        lines[given[0]] = by_line
        return None, given
    return _os.fspath(table), None


def _setting(key: str, value: Any) -> str:
    """One ``--set KEY=VALUE`` from a settings dict entry."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, (list, tuple)):
        text = _json.dumps(list(value))
    else:
        text = str(value)
    return f"{key}={text}"


def _settings(settings: Optional[Mapping[str, Any]]) -> list:
    return [_setting(k, v) for k, v in (settings or {}).items()]


def _date_text(as_of: Any) -> Optional[str]:
    if as_of is None:
        return None
    if isinstance(as_of, (list, tuple)):
        return ",".join(_date_text(d) for d in as_of)
    if isinstance(as_of, (_dt.datetime, _pd.Timestamp)):
        return as_of.strftime("%Y-%m-%d")
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    return str(as_of)


def _raise(e: BaseException, lines: Optional[dict] = None):
    """Turns the native failures into ``InputError`` / ``InternalError``."""
    if isinstance(e, _accord.InputFailure):
        data, rendered = e.args
        problems = []
        notes = []
        for p in _json.loads(data)["problems"]:
            source = p.get("file")
            row = None
            by_line = (lines or {}).get(source)
            if by_line is not None and p.get("line") is not None:
                row = by_line.get(p["line"])
                if p["line"] in by_line:
                    notes.append(f"{source}, line {p['line']}: the frame's row {row!r}")
            problems.append(
                {
                    "source": source,
                    "line": p.get("line"),
                    "row": row,
                    "column": p.get("key"),
                    "position": p.get("column"),
                    "message": p.get("message"),
                    "help": p.get("help"),
                    "related": p.get("related", []),
                }
            )
        if notes:
            rendered = rendered.rstrip("\n") + "\n" + "\n".join(notes) + "\n"
        raise InputError(problems, rendered) from None
    if isinstance(e, _accord.InternalFailure):
        raise InternalError(e.args[0]) from None
    raise e


def score(
    rubric: Optional[PathLike] = None,
    evidence: Optional[Table] = None,
    jurisdictions: Optional[Table] = None,
    dyads: Optional[Table] = None,
    as_of: Union[None, str, _dt.date, Sequence[Union[str, _dt.date]]] = None,
    settings: Optional[Mapping[str, Any]] = None,
    *,
    data: Optional[PathLike] = None,
    sheet: Optional[str] = None,
    delimiter: Optional[str] = None,
    only_coded: bool = False,
    allow_extends_outside: bool = False,
) -> "Results":
    """Scores every jurisdiction, as ``accord score`` does.

    With no arguments: the shipped default rubric and data (``./data`` when the working folder
    has one, as the command line reads it, else the copy built into accord).

    rubric: a rubric TOML file (default: the data folder's, else rubrics/paris-call.toml).
    evidence: a CSV/TSV file or .xlsx/.ods workbook (with ``sheet``), or a DataFrame in the long
        form (jurisdiction, criterion, value, source, as_of, note) or the wide form (jurisdiction,
        then one column per evidence field), as the CSV forms.
    jurisdictions, dyads: a file or a DataFrame, as the CSV forms.
    as_of: the evaluation date (``"2024-06-20"`` or a ``datetime.date``); several dates score
        once per date (the tables then carry an ``as_of`` column).
    settings: rubric overrides, the keys of ``--set``: ``{"pipeline.normalise.method": "n_zscore"}``.
    data: a data folder (evidence.csv, jurisdictions.csv, dyads.csv, accord.toml), as ``--data``.
    delimiter, only_coded, allow_extends_outside: as ``--delimiter``, ``--only-coded`` and
        ``--allow-extends-outside``.

    Raises InputError (every problem of the inputs, nothing written) or InternalError.
    """
    lines: dict = {}
    ev_path, ev_mem = _input(evidence, "evidence", lines)
    j_path, j_mem = _input(jurisdictions, "jurisdictions", lines)
    d_path, d_mem = _input(dyads, "dyads", lines)
    try:
        run = _accord.score(
            rubric=None if rubric is None else _os.fspath(rubric),
            evidence=ev_path,
            sheet=sheet,
            jurisdictions=j_path,
            dyads=d_path,
            data=None if data is None else _os.fspath(data),
            delimiter=delimiter,
            as_of=_date_text(as_of),
            set=_settings(settings),
            only_coded=only_coded,
            allow_extends_outside=allow_extends_outside,
            memory_evidence=ev_mem,
            memory_jurisdictions=j_mem,
            memory_dyads=d_mem,
        )
    except (_accord.InputFailure, _accord.InternalFailure) as e:
        _raise(e, lines)
    return Results(run)


def _column(values: list) -> _pd.Series:
    """A column of the results: floats (NaN missing), nullable Int64 (pd.NA missing), or str."""
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {float, int} and float in kinds:
        return _pd.Series(values, dtype="float64")
    if kinds == {int}:
        return _pd.Series(values, dtype="Int64")
    if kinds == {bool}:
        return _pd.Series(values, dtype="boolean")
    if not kinds:
        return _pd.Series(values, dtype="float64")
    # Text: pandas' own string type (``str`` in pandas 3, object before), missing as NaN.
    return _pd.Series(values)


def _frame(header: list, columns: list, index: Optional[str] = "jurisdiction") -> _pd.DataFrame:
    df = _pd.DataFrame({name: _column(col) for name, col in zip(header, columns)})
    if index is not None and index in df.columns:
        df = df.set_index(index)
    return df


class Results:
    """A scored run: its tables as DataFrames, explanations, the folder, and what-if scenarios.

    Tables (each indexed by jurisdiction code, NaN for a missing score):
      ``scores``: the tidy table of scores.csv (node, kind, score, rank, coverage), one row per
      jurisdiction and node; ``ranking``: ranking.csv, best first; ``principles``,
      ``dimensions``, ``cells``: the matrices; ``coverage(kind)``: coverage beside them.
    """

    def __init__(self, run):
        self._run = run
        self._tables = None
        self._ids = None
        # The index rank of each jurisdiction on each date (None: a run of one date), made on
        # the first what-if call.
        self._baseline_ranks: dict = {}

    def _table(self, name: str, index: Optional[str] = "jurisdiction") -> _pd.DataFrame:
        if self._tables is None:
            self._tables = {n: (h, c) for n, h, c in self._run.tables()}
        header, columns = self._tables[name]
        return _frame(header, columns, index)

    @property
    def as_of(self) -> _dt.date:
        """The evaluation date (the first, when several were scored)."""
        return _dt.date.fromisoformat(self._run.dates()[0])

    @property
    def dates(self) -> list:
        """Every evaluation date scored."""
        return [_dt.date.fromisoformat(d) for d in self._run.dates()]

    @property
    def rubric(self) -> dict:
        """The rubric's id, version and number of criteria."""
        rid, version, n = self._run.rubric()
        return {"id": rid, "version": version, "criteria": n}

    @property
    def library_seconds(self) -> float:
        """Seconds the library spent resolving, reading and scoring (no Python)."""
        return self._run.library_seconds

    @property
    def scores(self) -> _pd.DataFrame:
        """scores.csv: jurisdiction (index), node, kind, score, rank, coverage."""
        return self._table("scores.csv")

    @property
    def ranking(self) -> _pd.DataFrame:
        """ranking.csv, best first: name, score, rank, tier, tier_name, coverage."""
        return self._table("ranking.csv")

    @property
    def principles(self) -> _pd.DataFrame:
        """matrix_principles.csv: jurisdictions x principles."""
        return self._table("matrix_principles.csv")

    @property
    def dimensions(self) -> _pd.DataFrame:
        """matrix_dimensions.csv: jurisdictions x dimensions."""
        return self._table("matrix_dimensions.csv")

    @property
    def cells(self) -> _pd.DataFrame:
        """matrix_cells.csv: jurisdictions x principle.dimension cells."""
        return self._table("matrix_cells.csv")

    def coverage(self, kind: str = "principle") -> _pd.DataFrame:
        """The coverage of each score of one kind (``index``, ``principle``, ``dimension``,
        ``cell``, ``criterion``): jurisdictions x nodes, the matrix beside the scores'."""
        s = self.scores
        s = s[s["kind"] == kind]
        order = list(dict.fromkeys(s["node"]))
        m = s.reset_index().pivot(index="jurisdiction", columns="node", values="coverage")
        m = m.reindex(columns=order)
        m.columns.name = None
        return m

    def explain(self, jurisdiction: str, node: Optional[str] = None) -> _pd.DataFrame:
        """Every contribution to one score (default: the index), as ``accord explain``: one row
        per child with its value, weight, share and contribution (value x share; for an
        arithmetic mean they sum to the score), and the evidence behind it. The score, rank,
        coverage, method and notes are in ``.attrs``."""
        try:
            data = _json.loads(self._run.explain(jurisdiction, node))
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)
        parts = data.pop("contributions")
        cols = ["id", "kind", "value", "weight", "share", "contribution", "coverage",
                "evidence", "source", "place", "rule"]
        df = _pd.DataFrame({c: _column([p[c] for p in parts]) for c in cols})
        df["weight"] = df["weight"].astype("float64")
        for c in ("value", "share", "contribution", "coverage"):
            df[c] = df[c].astype("float64")
        df = df.set_index("id")
        df.attrs.update(data)
        return df

    def align(
        self,
        level: Optional[str] = None,
        metric: str = "gower",
        min_overlap: int = 3,
        clusters: int = 4,
        reference: Optional[str] = None,
        top: Optional[int] = None,
    ) -> "Analysis":
        """``accord align`` on this run, with the command's options: ``level`` criterion, cell,
        principle or dimension (default: as the command line chooses); ``metric`` as
        ``--metric``; ``min_overlap``; ``clusters``; ``reference`` a code or ``"ideal"``;
        ``top`` K for each jurisdiction's K most similar instead of the full matrices. Tables:
        ``alignment``, ``alignment_overlap``, ``alignment_pairs`` (or ``neighbours`` with
        ``top``), ``clusters``, ``reference_alignment`` (with ``reference``), the cooperation
        networks ``cooperation_extradition``, ``cooperation_legal_assistance`` and
        ``cooperation`` (``cooperation_pairs`` and ``cooperation_units`` above 5,000
        jurisdictions), and ``network``. One date only."""
        try:
            return Analysis(
                self._run.align(level, metric, min_overlap, clusters, reference, top), "align"
            )
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def audit(self, stage: str = "raw") -> "Analysis":
        """``accord audit`` on this run: statistics and data availability at ``stage`` (raw,
        denominated, imputed, screened, treated, normalised), screening, correlations,
        Cronbach's alpha, PCA, leave-one-out ranks, effective weights and the outlier treatment.
        Tables: ``stats``, ``data_availability``, ``data_availability_by_node``, ``screening``,
        ``correlations``, ``cronbach``, ``pca_variance``, ``pca_loadings``, ``leave_one_out``,
        ``effective_weights``, ``treatment``, ``treated_points``. One date only."""
        try:
            return Analysis(self._run.audit(stage), "audit")
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def agreement(self) -> "Analysis":
        """``accord agreement`` on this run (the evidence needs a ``coder`` column):
        Krippendorff's alpha per evidence field and overall (``agreement``) and every unit where
        coders disagree (``disagreements``). One date only."""
        try:
            return Analysis(self._run.agreement(), "agreement")
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def sensitivity(
        self,
        spec: Optional[PathLike] = None,
        runs: int = 100,
        seed: int = 1,
        design: str = "sa",
        sampler: str = "random",
        bootstrap: int = 200,
        runs_csv: bool = False,
        threads: Optional[int] = None,
        progress: Union[None, bool, Callable[[int, int], Any]] = None,
    ) -> "Analysis":
        """``accord sensitivity`` on this run: the same options as the command's flags
        (``spec`` the factors' TOML file, default the rubric's ``[uncertainty]`` or the spec
        beside the rubric; ``runs`` the base sample size N; ``design`` "sa" or "ua"; ``sampler``
        "random" or "sobol"; ``bootstrap`` resamples; ``runs_csv`` adds the ``runs`` table;
        ``threads`` worker threads, default all cores). Tables: ``rank_intervals``, then for
        "sa" ``sensitivity_indices`` and ``sensitivity_by_jurisdiction``, ``failures`` when a
        run failed, ``runs`` when asked for.

        The work runs without the GIL. ``progress``: a callable, called with (runs done, runs in
        all) about ten times a second and once at the end, on the calling thread with the GIL;
        ``True`` for a tqdm bar (``tqdm.auto``), or, when tqdm is not installed, a line of text
        on stderr updated in place. Ctrl-C (or any exception the callable raises) stops the
        work: the runs not yet started are not run, and the exception (``KeyboardInterrupt``)
        is raised; nothing is written. One date only."""
        call, close = _progress(progress)
        try:
            folder = self._run.sensitivity(
                spec=None if spec is None else _os.fspath(spec),
                runs=runs,
                seed=seed,
                design=design,
                sampler=sampler,
                bootstrap=bootstrap,
                runs_csv=runs_csv,
                threads=threads,
                progress=call,
            )
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)
        finally:
            close()
        return Analysis(folder, "sensitivity")

    def files(self, format: str = "csv") -> dict:
        """The files of the results folder, name -> bytes, as ``write`` writes them (its tables
        in ``format``: ``"csv"`` or ``"parquet"``)."""
        try:
            return dict(self._run.files(format))
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def write(self, folder: PathLike, force: bool = False, format: str = "csv") -> int:
        """Writes the results folder ``accord score --out`` writes (byte for byte, for inputs
        given as paths), whole or not at all; ``force`` replaces an existing folder; ``format``:
        the tables as ``"csv"`` or ``"parquet"``, as ``--format``. For a DataFrame input the
        manifest names it (``DataFrame evidence``) with the SHA-256 of its CSV text. Returns the
        number of files written. An existing folder without ``force`` is an InputError; a file
        that cannot be written, an OSError."""
        try:
            return self._run.write(_os.fspath(folder), force, format)
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def _jurisdictions(self) -> list:
        return [c for c, _ in self._run.jurisdictions()]

    def rescore(
        self,
        settings: Optional[Mapping[str, Any]] = None,
        weights: Optional[Mapping[str, float]] = None,
    ) -> _pd.DataFrame:
        """What if: the run again with other settings (the keys of ``--set``) and/or weights
        (criterion or node id -> weight), regenerated from the earliest pipeline step the
        change touches on the cached stages. Returns, indexed by jurisdiction, the index
        ``score`` and ``rank``, the ``baseline_rank``, and every node's score by its id; a run
        of several dates gives every date's rows, each with its ``as_of`` (first column), as
        the tables of such a run do. ``.attrs["library_seconds"]`` is the time the library took
        for the scenario (on every date)."""
        sets, ws = _settings(settings), _weights(weights)
        dates = self.dates
        parts, seconds = [], 0.0
        for d, day in enumerate(dates):
            try:
                codes, rows, ranks, took = self._run.rescore(sets, ws, d)
            except (_accord.InputFailure, _accord.InternalFailure) as e:
                _raise(e)
            seconds += took
            parts.append(self._rescored(codes, rows, ranks, day if len(dates) > 1 else None))
        out = parts[0] if len(parts) == 1 else _pd.concat(parts)
        out.attrs["library_seconds"] = seconds
        return out

    def _rescored(self, codes: list, rows: list, ranks: list, day: Optional[_dt.date]) -> _pd.DataFrame:
        """One date's what-if table (``day``: the date of a run of several, else None)."""
        if self._ids is None:
            self._ids = [i for i, _ in self._run.nodes()]
        ids = self._ids
        if not self._baseline_ranks:
            s = self.scores
            s = s[s["kind"] == "index"]
            if "as_of" in s.columns:
                for d, on_day in s.groupby("as_of", sort=False):
                    self._baseline_ranks[d] = on_day["rank"]
            else:
                self._baseline_ranks[None] = s["rank"]
        base = self._baseline_ranks[day]
        nodes = _pd.DataFrame(rows, columns=ids, index=_pd.Index(codes, name="jurisdiction"), dtype="float64")
        out = _pd.DataFrame(
            {
                "score": nodes[ids[0]],
                "rank": _pd.Series(ranks, index=nodes.index, dtype="Int64"),
                "baseline_rank": base.reindex(nodes.index),
            }
        )
        out = _pd.concat([out, nodes.drop(columns=[ids[0]])], axis=1)
        if day is not None:
            out.insert(0, "as_of", day)
        return out

    def rescore_many(self, scenarios: Iterable[Mapping[str, Any]]) -> _pd.DataFrame:
        """Many what-if scenarios at once (in parallel, on the cached stages): each a dict with
        ``settings`` and/or ``weights`` as in ``rescore``. Returns one table of index ranks:
        a row per scenario (in order), a column per jurisdiction code, ``pd.NA`` where a
        jurisdiction has no index score. A run of several dates gives a row per scenario and
        date, indexed by (``scenario``, ``as_of``)."""
        items = [(_settings(s.get("settings")), _weights(s.get("weights"))) for s in scenarios]
        import numpy as np

        codes = self._jurisdictions()
        dates = self.dates
        parts = []
        for d, day in enumerate(dates):
            try:
                data = self._run.rescore_many(items, d)
            except (_accord.InputFailure, _accord.InternalFailure) as e:
                _raise(e)
            # Ranks as 32-bit integers, scenario by scenario; 0 stands for no rank.
            ranks = np.frombuffer(data, dtype="<u4").reshape(len(items), len(codes)).astype("int64")
            missing = ranks == 0
            df = _pd.DataFrame(
                {c: _pd.arrays.IntegerArray(ranks[:, j].copy(), missing[:, j].copy()) for j, c in enumerate(codes)}
            )
            df.index.name = "scenario"
            if len(dates) > 1:
                df.index = _pd.MultiIndex.from_arrays([df.index, [day] * len(df)], names=["scenario", "as_of"])
            parts.append(df)
        if len(parts) == 1:
            return parts[0]
        out = _pd.concat(parts)
        # Each scenario's dates together, in date order.
        return out.iloc[np.argsort(out.index.get_level_values("scenario"), kind="stable")]

    def _on(self) -> str:
        """The evaluation date, or the dates of a run of several."""
        dates = self.dates
        if len(dates) == 1:
            return f"on {dates[0]}"
        return f"on {len(dates)} dates ({', '.join(str(d) for d in dates)})"

    def __repr__(self) -> str:
        r = self.rubric
        n = len(self._jurisdictions())
        return f"<accord.Results: rubric {r['id']} {r['version']}, {n} jurisdictions, {self._on()}>"

    def _repr_html_(self) -> str:
        r = self.rubric
        head = _html.escape(f"rubric {r['id']} {r['version']} ({r['criteria']} criteria), evaluated {self._on()}")
        # pandas escapes cell text in to_html (escape=True by default).
        table = self.ranking.head(15).to_html(escape=True, na_rep="NA")
        return f"<div><p>{head}</p>{table}</div>"


def _weights(weights: Optional[Mapping[str, float]]) -> list:
    return [(str(k), float(v)) for k, v in (weights or {}).items()]


def _progress(progress: Any) -> tuple:
    """The native callback for ``progress`` and what to call when the run ends."""
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    if progress is not True:
        raise TypeError("progress is a callable (done, total), True for a bar, or None")
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    state: dict = {}
    if tqdm is not None:

        def bar(done: int, total: int) -> None:
            if "bar" not in state:
                state["bar"] = tqdm(total=total, unit="run", desc="sensitivity")
            state["bar"].update(done - state["bar"].n)

        return bar, lambda: state["bar"].close() if "bar" in state else None

    def text(done: int, total: int) -> None:
        state["shown"] = True
        _sys.stderr.write(f"\rsensitivity: {done}/{total} runs")
        _sys.stderr.flush()

    def end() -> None:
        if state.get("shown"):
            _sys.stderr.write("\n")
            _sys.stderr.flush()

    return text, end


class Analysis:
    """The results of an analysis (``Results.audit``, ``Results.agreement``,
    ``Results.sensitivity``, ``Results.align``, ``accord.compare``): its tables as DataFrames,
    the summary the command line prints, and the folder it writes.

    ``tables`` maps each table's file name without ``.csv`` (``rank_intervals``, ``stats``, ...)
    to a DataFrame with the file's columns in order and a plain index, the values the CSV holds:
    numbers as ``float64`` with NaN for NA, counts and ranks as nullable ``Int64``, text as
    ``str`` with missing values as NA; ``a["stats"]`` is ``a.tables["stats"]``.
    """

    def __init__(self, folder, command: str):
        self._folder = folder
        self.command = command
        self._tables: Optional[dict] = None

    @property
    def summary(self) -> str:
        """What the command line prints, but for its last line (where it wrote the folder).
        The timing in a sensitivity summary is this run's."""
        return self._folder.summary

    @property
    def tables(self) -> dict:
        """Every table of the folder by name (its file name without ``.csv``)."""
        if self._tables is None:
            self._tables = {
                name.rsplit(".", 1)[0]: _frame(header, columns, None)
                for name, header, columns in self._folder.tables()
            }
        return dict(self._tables)

    def __getitem__(self, name: str) -> _pd.DataFrame:
        return self.tables[name]

    def files(self, format: str = "csv") -> dict:
        """The files of the folder, name -> bytes, as ``write`` writes them (its tables in
        ``format``: ``"csv"`` or ``"parquet"``)."""
        try:
            return dict(self._folder.files(format))
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def write(self, folder: PathLike, force: bool = False, format: str = "csv") -> int:
        """Writes the folder the command writes with ``--out`` (byte for byte, for inputs
        given as paths), whole or not at all; ``force`` replaces an existing folder; ``format``:
        the tables as ``"csv"`` or ``"parquet"``, as ``--format``. Returns the number of files
        written."""
        try:
            return self._folder.write(_os.fspath(folder), force, format)
        except (_accord.InputFailure, _accord.InternalFailure) as e:
            _raise(e)

    def __repr__(self) -> str:
        first = self.summary.split("\n", 1)[0]
        return f"<accord.Analysis {self.command}: {first}>"

    def _repr_html_(self) -> str:
        """Jupyter's display: the summary, then each table's name and size, and the first rows
        of the first table; all text escaped."""
        summary = _html.escape(self.summary)
        tables = self.tables
        items = "".join(
            f"<li><code>{_html.escape(name)}</code>: {len(t)} rows x {len(t.columns)} columns</li>"
            for name, t in tables.items()
        )
        first = ""
        if tables:
            name, t = next(iter(tables.items()))
            # pandas escapes cell text in to_html (escape=True by default).
            first = f"<p><code>{_html.escape(name)}</code>, first rows:</p>" + t.head(10).to_html(
                escape=True, na_rep="NA"
            )
        return (
            f"<div><p>accord {_html.escape(self.command)}</p><pre>{summary}</pre>"
            f"<ul>{items}</ul>{first}</div>"
        )


def compare(
    a: Union[PathLike, _dt.date, _pd.DataFrame],
    b: Union[PathLike, _dt.date, _pd.DataFrame],
    rubric: Optional[PathLike] = None,
    evidence: Optional[Table] = None,
    jurisdictions: Optional[Table] = None,
    dyads: Optional[Table] = None,
    as_of: Union[None, str, _dt.date] = None,
    settings: Optional[Mapping[str, Any]] = None,
    *,
    data: Optional[PathLike] = None,
    sheet: Optional[str] = None,
    delimiter: Optional[str] = None,
    only_coded: bool = False,
    allow_extends_outside: bool = False,
    movers: int = 5,
) -> Analysis:
    """Compares A with B as ``accord compare A B`` does: two rubrics (.toml) on the same inputs,
    two evidence files or two evidence DataFrames with the same rubric, two dates
    (``"2018-11-12"`` or ``datetime.date``) or two ``score`` results folders. The other arguments
    are the inputs both sides share, as in ``score`` (files or DataFrames); ``movers``: how many
    of the biggest movers to explain. Two DataFrames are shown as ``DataFrame A`` and
    ``DataFrame B``; the manifest records each table read from memory with the SHA-256 of its CSV
    text. Tables: ``rank_shifts`` and ``score_deltas``; the summary is what the command prints.

    Raises InputError (every problem of the inputs, a frame's rows named by their labels) or
    InternalError."""
    lines: dict = {}
    frames = [isinstance(x, _pd.DataFrame) for x in (a, b)]
    if any(frames) and not all(frames):
        raise TypeError("compare takes A and B of one kind: two DataFrames, or neither")
    mem_a = mem_b = None
    if all(frames):
        mem_a, by_line = _frame_csv(a, "A")
        lines[mem_a[0]] = by_line
        mem_b, by_line = _frame_csv(b, "B")
        lines[mem_b[0]] = by_line
        a, b = mem_a[0], mem_b[0]
    ev_path, ev_mem = _input(evidence, "evidence", lines)
    j_path, j_mem = _input(jurisdictions, "jurisdictions", lines)
    d_path, d_mem = _input(dyads, "dyads", lines)
    side = lambda x: _date_text(x) if isinstance(x, _dt.date) else _os.fspath(x)  # noqa: E731
    try:
        folder = _accord.compare(
            side(a),
            side(b),
            rubric=None if rubric is None else _os.fspath(rubric),
            evidence=ev_path,
            sheet=sheet,
            jurisdictions=j_path,
            dyads=d_path,
            data=None if data is None else _os.fspath(data),
            delimiter=delimiter,
            as_of=_date_text(as_of),
            set=_settings(settings),
            only_coded=only_coded,
            allow_extends_outside=allow_extends_outside,
            movers=movers,
            memory_evidence=ev_mem,
            memory_jurisdictions=j_mem,
            memory_dyads=d_mem,
            memory_a=mem_a,
            memory_b=mem_b,
        )
    except (_accord.InputFailure, _accord.InternalFailure) as e:
        _raise(e, lines)
    return Analysis(folder, "compare")
