"""``Results``: what a comparison or an ensemble produced, as tidy tables plus their scenario.

Every output reads a :class:`Results`: the files of an output folder, the terminal table, the
JSON rows, the HTML report and DataFrames in a notebook. It is frozen and carries the
:class:`~counterflow.scenario.Scenario`, the resolved parameters and the counterflow version,
so every number traces back to its inputs. :meth:`Results.to_folder` writes it (atomically,
through :mod:`counterflow.outfolder`); :meth:`Results.from_folder` reads it back equal.

The tables (long format; ``strategy`` and, where runs differ, ``replication`` and ``month``):

========== ===================================================================================
outcomes   one row per strategy: the columns of ``results.csv`` (:mod:`.outcomes`)
drugs      per run, month and drug: shipped, abstained, seized in Mexico / at US ports,
           delivered kg
crossings  per run, month, crossing and drug: arriving, seized and delivered kg
regions    per run, month and state: homicides, kg on its roads, contested kg
cooperation per run and month: Mexico's cooperation index at the end of the month
removals   per run: each synthetic leadership removal (month, organization, method, split)
runs       per run: solver gap, strikes, civilian harm, paused months, detainee transfers
verdicts   per strategy and framework: the worst verdict over the months and its date
trace      per strategy: the legal reasoning, one row per step, with citations
links      per strategy: kg per road link in month 1 of replication 0 (for maps)
========== ===================================================================================

An *ensemble* (``counterflow explore``, :attr:`Results.kind` ``"ensemble"``) has no outcome rows
and none of those tables; it has instead (:data:`ENSEMBLE_TABLES`):

=========== ==================================================================================
experiments one row per experiment (strategy × future × replication): ids, ``unc__<key>``
            values, every outcome of ``results.csv``, ``error`` (``experiments.parquet``)
robustness  per strategy and outcome: statistics over the futures, regret, satisficing share
sobol       Sobol' indices per strategy, outcome and uncertainty (``saltelli`` only; else absent)
prim        scenario discovery, long: ``strategy, outcome`` then the rows of
            ``prim/<strategy>__<outcome>.csv`` (the trade-off and the chosen box)
=========== ==================================================================================

plus :attr:`Results.ensemble`, the record of how the futures were sampled (sampler, futures,
seed, ranges, hash, satisficing rules), kept in ``manifest.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from counterflow._version import __version__
from counterflow.errors import InputError
from counterflow.model.outcomes import RESULT_COLUMNS
from counterflow.outfolder import (
    RESULT_NAMES,
    claim_out_folder,
    csv_line,
    read_manifest,
    to_csv_text,
)
from counterflow.scenario import Scenario

__all__ = [
    "COMPARISON",
    "ENSEMBLE",
    "ENSEMBLE_MANIFEST_KIND",
    "ENSEMBLE_NAMES",
    "ENSEMBLE_TABLES",
    "RESULTS_FORMAT",
    "TABLES",
    "Results",
    "Writer",
]

RESULTS_FORMAT = 2  # the version of the folder layout; from_folder refuses newer ones
TABLES = (
    "drugs",
    "crossings",
    "regions",
    "cooperation",
    "removals",
    "runs",
    "verdicts",
    "trace",
    "links",
)
COMPARISON = "comparison"  # Results.kind of counterflow compare
ENSEMBLE = "ensemble"  # Results.kind of counterflow explore
ENSEMBLE_TABLES = ("experiments", "robustness", "sobol", "prim")  # sobol: saltelli only
ENSEMBLE_MANIFEST_KIND = "counterflow explore"  # manifest "kind" (exploration.parts.KIND)
_ENSEMBLE_REQUIRED = ("experiments", "robustness", "prim")
ENSEMBLE_NAMES = (  # top-level names an ensemble folder may hold (outfolder's ``names``)
    "experiments.parquet",
    "robustness.csv",
    "sobol.csv",
    "prim",
    "scenario.json",
    "report.html",
    "tables",
)
# Manifest entries of an ensemble folder that are not its record (Results.ensemble).
_NOT_RECORD = frozenset(
    {
        "format",
        "kind",
        "counterflow_version",
        "parameters",
        "state",
        "experiments",
        "failed",
        "written_by",
        "files",
    }
)
# Columns of the spreadsheet CSVs (DESIGN.md, fixed interface).
CROSSING_COLUMNS = (
    "strategy",
    "replication",
    "month",
    "crossing_id",
    "crossing_name",
    "state_code",
    "field_office",
    "commodity",
    "arriving_kg",
    "seized_kg",
    "delivered_kg",
)
REGION_COLUMNS = (
    "strategy",
    "replication",
    "month",
    "state_code",
    "state_name",
    "homicides",
    "flow_kg",
    "contested_flow_kg",
)
_CSV_FLOAT = "%.10g"  # kg and homicides per month in the long CSVs: ten significant digits

Writer = Callable[[Path], None]


def _frozen_tables(tables: Mapping[str, pd.DataFrame]) -> Mapping[str, pd.DataFrame]:
    return MappingProxyType(dict(tables))


@dataclass(frozen=True, eq=False)
class Results:
    """A comparison's or an ensemble's results (module docstring); :meth:`equals` compares two.

    Attributes:
        scenario: The scenario that produced them (overrides applied).
        parameters: Every model parameter as resolved (defaults and the scenario's values;
            an ensemble's futures override the uncertain ones, see ``experiments``).
        rows: The outcome rows of ``results.csv`` / ``--json``, one per strategy (none for an
            ensemble).
        tables: The long tables named in :data:`TABLES`, or for an ensemble in
            :data:`ENSEMBLE_TABLES` (read them with :meth:`to_dataframe`).
        version: The counterflow version that computed them.
        kind: :data:`COMPARISON` or :data:`ENSEMBLE`.
        ensemble: An ensemble's record (sampler, futures, seed, ranges, hash, rules); empty for
            a comparison.
    """

    scenario: Scenario
    parameters: Mapping[str, float]
    rows: tuple[Mapping[str, Any], ...]
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    version: str = __version__
    kind: str = COMPARISON
    ensemble: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in (COMPARISON, ENSEMBLE):
            raise ValueError(f"Results kind is {COMPARISON!r} or {ENSEMBLE!r}, not {self.kind!r}")
        required = TABLES if self.kind == COMPARISON else _ENSEMBLE_REQUIRED
        missing = [name for name in required if name not in self.tables]
        if missing:
            raise ValueError(f"Results needs the tables {', '.join(missing)}")
        allowed = TABLES if self.kind == COMPARISON else ENSEMBLE_TABLES
        foreign = [name for name in self.tables if name not in allowed]
        if foreign:
            raise ValueError(f"a {self.kind} has no tables {', '.join(foreign)}")
        if self.kind == ENSEMBLE and self.rows:
            raise ValueError("an ensemble has no outcome rows (see its experiments table)")
        object.__setattr__(self, "tables", _frozen_tables(self.tables))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "ensemble", MappingProxyType(dict(self.ensemble)))

    # -- an ensemble's tables ----------------------------------------------------------------

    @property
    def experiments(self) -> pd.DataFrame:
        """An ensemble's experiments table (a copy), one row per experiment."""
        return self._ensemble_table("experiments")

    @property
    def robustness(self) -> pd.DataFrame:
        """An ensemble's robustness table (a copy): per strategy and outcome."""
        return self._ensemble_table("robustness")

    @property
    def sobol(self) -> pd.DataFrame | None:
        """An ensemble's Sobol' indices (a copy), or None when not sampled with ``saltelli``."""
        self._ensemble_table("experiments")
        return self.tables["sobol"].copy() if "sobol" in self.tables else None

    @property
    def prim(self) -> pd.DataFrame:
        """An ensemble's PRIM table (a copy): ``strategy, outcome`` and the boxes' rows."""
        return self._ensemble_table("prim")

    def _ensemble_table(self, name: str) -> pd.DataFrame:
        if self.kind != ENSEMBLE:
            raise InputError(
                f"a comparison has no {name} table; counterflow.explore() makes ensembles",
                key="name",
            )
        return self.tables[name].copy()

    def table_names(self) -> tuple[str, ...]:
        """The names :meth:`to_dataframe` takes."""
        if self.kind == ENSEMBLE:
            return tuple(name for name in ENSEMBLE_TABLES if name in self.tables)
        return ("outcomes", *TABLES)

    def outcomes(self) -> pd.DataFrame:
        """The rows of ``results.csv`` as a DataFrame, one per strategy in scenario order."""
        return pd.DataFrame([dict(row) for row in self.rows], columns=list(RESULT_COLUMNS))

    def to_dataframe(self, name: str) -> pd.DataFrame:
        """A copy of one table: ``"outcomes"`` or a name of :data:`TABLES`.

        For an ensemble: a name of :data:`ENSEMBLE_TABLES` (``sobol`` when sampled so).
        """
        if name not in self.table_names():
            raise InputError(
                f"no table {name!r}; use one of: {', '.join(self.table_names())}", key="name"
            )
        if name == "outcomes":
            return self.outcomes()
        return self.tables[name].copy()

    def json_rows(self) -> str:
        """The rows as the JSON list ``compare --json`` prints (no NaN; same seed, same bytes)."""
        return json.dumps([dict(row) for row in self.rows], allow_nan=False)

    def equals(self, other: Results) -> bool:
        """Whether two results hold the same scenario, parameters, rows, tables and record."""
        return (
            self.kind == other.kind
            and self.scenario == other.scenario
            and dict(self.parameters) == dict(other.parameters)
            and self.json_rows() == other.json_rows()
            and self.version == other.version
            and dict(self.ensemble) == dict(other.ensemble)
            and set(self.tables) == set(other.tables)
            and all(self.tables[n].equals(other.tables[n]) for n in self.tables)
        )

    # -- files -------------------------------------------------------------------------------

    def files(self) -> dict[str, Writer]:
        """The files of a results folder, each with the function that writes it."""
        if self.kind == ENSEMBLE:
            return self._ensemble_files()
        files: dict[str, Writer] = {
            "results.csv": _text(self.results_csv()),
            "results.json": _text(self.json_rows() + "\n"),
            "scenario.json": _text(self.scenario.model_dump_json(indent=2) + "\n"),
            "crossings.csv": _text(
                _spreadsheet(self.tables["crossings"], CROSSING_COLUMNS, "arriving_kg")
            ),
        }
        if not self.tables["regions"].empty:
            files["regions.csv"] = _text(
                _spreadsheet(self.tables["regions"], REGION_COLUMNS, "homicides")
            )
        for name in TABLES:
            files[f"tables/{name}.parquet"] = _parquet(self.tables[name])
        return files

    def _ensemble_files(self) -> dict[str, Writer]:
        """An ensemble folder: ``experiments.parquet``, the CSVs, and tables to read back."""
        files: dict[str, Writer] = {
            "experiments.parquet": _parquet(self.tables["experiments"]),
            "robustness.csv": _text(to_csv_text(self.tables["robustness"])),
            "scenario.json": _text(self.scenario.model_dump_json(indent=2) + "\n"),
        }
        if "sobol" in self.tables:
            files["sobol.csv"] = _text(to_csv_text(self.tables["sobol"]))
        prim = self.tables["prim"]
        if not prim.empty:
            for (strategy, outcome), box in prim.groupby(["strategy", "outcome"], sort=False):
                rows = box.drop(columns=["strategy", "outcome"]).reset_index(drop=True)
                files[f"prim/{strategy}__{outcome}.csv"] = _text(to_csv_text(rows))
        for name in ENSEMBLE_TABLES[1:]:
            if name in self.tables:
                files[f"tables/{name}.parquet"] = _parquet(self.tables[name])
        return files

    def manifest(self) -> dict[str, Any]:
        """What ``manifest.json`` records besides the file list."""
        if self.kind == ENSEMBLE:
            errors = self.tables["experiments"]["error"]
            return {
                "format": RESULTS_FORMAT,
                "kind": ENSEMBLE_MANIFEST_KIND,
                "counterflow_version": self.version,
                **self.ensemble,
                "state": "complete",
                "experiments": len(errors),
                "failed": int(errors.notna().sum()),
                "parameters": dict(self.parameters),
            }
        return {
            "format": RESULTS_FORMAT,
            "counterflow_version": self.version,
            "scenario": self.scenario.name,
            "parameters": dict(self.parameters),
        }

    def results_csv(self) -> str:
        """``results.csv``: one row per strategy, written by a CSV writer (module docstring)."""
        lines = [csv_line(RESULT_COLUMNS)]
        lines += [csv_line(row[column] for column in RESULT_COLUMNS) for row in self.rows]
        return "".join(lines)

    def to_folder(
        self,
        path: str | Path,
        *,
        force: bool = False,
        extra_files: Mapping[str, Writer] | None = None,
    ) -> Path:
        """Write every file into ``path`` atomically and return it.

        The folder afterwards holds exactly this run's files (and the user's own files,
        untouched). A folder with results that counterflow did not write is overwritten only
        with ``force``. ``extra_files`` adds files made from these results by a higher layer
        (the HTML report), written in the same move.
        """
        out = Path(path)
        files = {**self.files(), **(extra_files or {})}
        names = ENSEMBLE_NAMES if self.kind == ENSEMBLE else RESULT_NAMES
        with claim_out_folder(out, force=force, names=names) as folder:
            folder.write(files, manifest=self.manifest())
        return out

    @classmethod
    def from_folder(cls, path: str | Path) -> Results:
        """Read a folder written by :meth:`to_folder` back into equal results."""
        folder = Path(path)
        manifest = read_manifest(folder)
        if manifest is None:
            raise InputError(
                "not a counterflow results folder (no manifest.json); give the --out folder of "
                "counterflow compare",
                path=folder,
            )
        if manifest.get("kind") == ENSEMBLE_MANIFEST_KIND and manifest.get("state") != "complete":
            raise InputError(
                f"holds an unfinished ensemble; finish it first: counterflow explore --resume "
                f"{folder}",
                path=folder,
            )
        found = manifest.get("format")
        if not isinstance(found, int) or found > RESULTS_FORMAT:
            raise InputError(
                f"results format {found!r} is newer than this counterflow reads "
                f"({RESULTS_FORMAT}); upgrade counterflow",
                path=folder / "manifest.json",
            )
        ensemble = manifest.get("kind") == ENSEMBLE_MANIFEST_KIND
        command = "explore" if ensemble else "compare"
        try:
            scenario = Scenario.model_validate_json(
                (folder / "scenario.json").read_text(encoding="utf-8")
            )
            rows: list[dict[str, Any]] = []
            if ensemble:
                tables = _read_ensemble_tables(folder)
            else:
                rows = json.loads((folder / "results.json").read_text(encoding="utf-8"))
                tables = {n: _read_parquet(folder / "tables" / f"{n}.parquet") for n in TABLES}
        except FileNotFoundError as error:
            raise InputError(
                f"a file of the results folder is missing; run counterflow {command} again",
                path=error.filename,
            ) from None
        except (ValueError, OSError) as error:
            raise InputError(
                f"a file of the results folder cannot be read ({error}); run {command} again",
                path=folder,
            ) from None
        parameters = manifest.get("parameters", {})
        if not isinstance(parameters, dict):
            raise InputError("parameters is not a table", path=folder / "manifest.json")
        return cls(
            scenario=scenario,
            parameters={str(k): float(v) for k, v in parameters.items()},
            rows=tuple(rows),
            tables=tables,
            version=str(manifest.get("counterflow_version", "")),
            kind=ENSEMBLE if ensemble else COMPARISON,
            ensemble=(
                {k: v for k, v in manifest.items() if k not in _NOT_RECORD} if ensemble else {}
            ),
        )


def _read_ensemble_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """An ensemble folder's tables: ``experiments.parquet`` and ``tables/*.parquet``."""
    tables = {"experiments": _read_parquet(folder / "experiments.parquet")}
    for name in ENSEMBLE_TABLES[1:]:
        path = folder / "tables" / f"{name}.parquet"
        if name != "sobol" or path.exists():
            tables[name] = _read_parquet(path)
    return tables


def _spreadsheet(table: pd.DataFrame, columns: tuple[str, ...], first_number: str) -> str:
    """A long table as CSV for spreadsheets: rows that are zero in every number dropped."""
    if table.empty:
        return ",".join(columns) + "\n"
    frame = table[list(columns)]
    numbers = frame.loc[:, first_number:]
    keep = (numbers.to_numpy(dtype=float) != 0.0).any(axis=1)
    return to_csv_text(frame[keep], float_format=_CSV_FLOAT)


def _text(text: str) -> Writer:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def _parquet(table: pd.DataFrame) -> Writer:
    def write(path: Path) -> None:
        table.to_parquet(path, index=False, compression="zstd")

    return write


def _read_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)
