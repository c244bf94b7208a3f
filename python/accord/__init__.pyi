"""Type stubs of the accord package (see accord/__init__.py for the documentation)."""

import datetime
import os
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

__version__: str

PathLike = Union[str, os.PathLike[str]]
Table = Union[PathLike, pd.DataFrame]

class InputError(ValueError):
    """Bad input: every problem, as structured data and as the command line renders them."""

    problems: list[dict[str, Any]]
    rendered: str
    def __init__(self, problems: list[dict[str, Any]], rendered: str) -> None: ...

class InternalError(RuntimeError):
    """A fault inside accord (a bug, never bad input)."""

def score(
    rubric: Optional[PathLike] = None,
    evidence: Optional[Table] = None,
    jurisdictions: Optional[Table] = None,
    dyads: Optional[Table] = None,
    as_of: Union[None, str, datetime.date, Sequence[Union[str, datetime.date]]] = None,
    settings: Optional[Mapping[str, Any]] = None,
    *,
    data: Optional[PathLike] = None,
    sheet: Optional[str] = None,
    delimiter: Optional[str] = None,
    only_coded: bool = False,
    allow_extends_outside: bool = False,
) -> Results:
    """Scores every jurisdiction, as `accord score` does; raises InputError or InternalError."""

class Results:
    """A scored run: DataFrames indexed by jurisdiction code, explanations, the folder, what-if."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def dates(self) -> list[datetime.date]: ...
    @property
    def rubric(self) -> dict[str, Any]: ...
    @property
    def library_seconds(self) -> float: ...
    @property
    def scores(self) -> pd.DataFrame: ...
    @property
    def ranking(self) -> pd.DataFrame: ...
    @property
    def principles(self) -> pd.DataFrame: ...
    @property
    def dimensions(self) -> pd.DataFrame: ...
    @property
    def cells(self) -> pd.DataFrame: ...
    def coverage(self, kind: str = "principle") -> pd.DataFrame: ...
    def explain(self, jurisdiction: str, node: Optional[str] = None) -> pd.DataFrame: ...
    def align(
        self,
        level: Optional[str] = None,
        metric: str = "gower",
        min_overlap: int = 3,
        clusters: int = 4,
        reference: Optional[str] = None,
        top: Optional[int] = None,
    ) -> Analysis:
        """`accord align` on this run (one date): similarity, clusters, reference ranking and
        cooperation networks, as the command's folder."""
    def audit(self, stage: str = "raw") -> Analysis:
        """`accord audit` on this run (one date): statistics and availability at `stage`."""
    def agreement(self) -> Analysis:
        """`accord agreement` on this run (one date; the evidence needs a `coder` column)."""
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
    ) -> Analysis:
        """`accord sensitivity` on this run (one date), without the GIL; `progress` a callable
        (done, total) or True for a tqdm bar (a text line on stderr without tqdm); Ctrl-C or an
        exception from `progress` cancels the work and is raised."""
    def files(self, format: str = "csv") -> dict[str, bytes]: ...
    def write(self, folder: PathLike, force: bool = False, format: str = "csv") -> int: ...
    def rescore(
        self,
        settings: Optional[Mapping[str, Any]] = None,
        weights: Optional[Mapping[str, float]] = None,
    ) -> pd.DataFrame: ...
    def rescore_many(self, scenarios: Iterable[Mapping[str, Any]]) -> pd.DataFrame: ...
    def _repr_html_(self) -> str: ...

class Analysis:
    """An analysis's tables (by file name without `.csv`), the command's summary, its folder."""

    command: str
    @property
    def summary(self) -> str: ...
    @property
    def tables(self) -> dict[str, pd.DataFrame]: ...
    def __getitem__(self, name: str) -> pd.DataFrame: ...
    def files(self, format: str = "csv") -> dict[str, bytes]: ...
    def write(self, folder: PathLike, force: bool = False, format: str = "csv") -> int: ...
    def _repr_html_(self) -> str: ...

def compare(
    a: Union[PathLike, datetime.date, pd.DataFrame],
    b: Union[PathLike, datetime.date, pd.DataFrame],
    rubric: Optional[PathLike] = None,
    evidence: Optional[Table] = None,
    jurisdictions: Optional[Table] = None,
    dyads: Optional[Table] = None,
    as_of: Union[None, str, datetime.date] = None,
    settings: Optional[Mapping[str, Any]] = None,
    *,
    data: Optional[PathLike] = None,
    sheet: Optional[str] = None,
    delimiter: Optional[str] = None,
    only_coded: bool = False,
    allow_extends_outside: bool = False,
    movers: int = 5,
) -> Analysis:
    """Compares A with B (rubrics, evidence files or DataFrames, dates or results folders) as
    `accord compare`, with the inputs both sides share (files or DataFrames)."""
