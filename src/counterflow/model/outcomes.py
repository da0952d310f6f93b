"""The outcomes of DESIGN.md ("Outcomes"), each declared once.

Each outcome (after EMA Workbench's ``ScalarOutcome``) has a name, a unit, what it means and a
function of one replication's run and the baseline's run of the same replication (common random
numbers, so differences are paired).

:func:`outcome_rows` turns runs into the rows of ``results.csv``: a plain column is the mean
over replications, ``_p05`` / ``_p95`` are ``numpy.quantile(..., method="linear")`` of the
paired values for the outcomes declared with an interval. An outcome whose function returns
``None`` in any replication is not computed: ``None`` in the row (``null`` in JSON, empty in
CSV, ``n/c`` in tables) and listed in ``not_computed``.

Columns are ordered by the release that added them (``since``): later outcomes and intervals
are appended, so readers that index ``results.csv`` by position keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.scenario import BASELINE_ID, Scenario

__all__ = [
    "DRUGS",
    "FRAMEWORKS",
    "INTERVAL_OUTCOMES",
    "KG_OUTCOMES",
    "OUTCOMES",
    "RESULT_COLUMNS",
    "Outcome",
    "Run",
    "RunSummary",
    "outcome_rows",
    "summarize",
]

DRUGS = ("fentanyl", "methamphetamine", "cocaine")
FRAMEWORKS = ("international", "us", "mexico")
KG_OUTCOMES = (
    "delivered_kg",
    "seized_kg",
    "seized_kg_mexico",
    "seized_kg_us_ports",
    "abstained_kg",
)


class Run(Protocol):
    """What an outcome reads of one strategy's run in one replication (``model.run.RunResult``).

    ``by_drug``: per month and drug ``shipped_kg, abstained_kg, seized_kg_mexico,
    seized_kg_us_ports, delivered_kg``; ``crossings``: per month, crossing and drug
    ``arriving_kg``; ``regions``: per month and state ``homicides`` (empty without homicide
    counts); ``cooperation``: the index at the end of each month.
    """

    @property
    def by_drug(self) -> pd.DataFrame:
        """Per month and drug: shipped, abstained, seized and delivered kg."""

    @property
    def crossings(self) -> pd.DataFrame:
        """Per month, crossing and drug: arriving kg (and more)."""

    @property
    def regions(self) -> pd.DataFrame:
        """Per month and state: homicides (empty without homicide counts)."""

    @property
    def cooperation(self) -> NDArray[np.float64]:
        """The cooperation index at the end of each month."""

    @property
    def fragmentation_events(self) -> int:
        """Organizations split over the horizon."""

    @property
    def civilian_harm(self) -> float:
        """Expected civilian deaths from strikes over the horizon."""

    @property
    def detainee_transfers(self) -> float:
        """Expected transfers of detainees to the US over the horizon."""


@dataclass(frozen=True)
class RunSummary:
    """What the outcomes need of one run, computed once (horizon totals, kg per crossing)."""

    kg: Mapping[str, float]  # KG_OUTCOMES and f"{outcome}_{drug}"
    prices: Mapping[str, float]  # f"{border|retail}_{drug}": horizon mean, USD per kg
    arriving_kg: pd.Series  # horizon kg arriving per crossing id, before inspection
    homicides: float | None  # all states and months; None without homicide counts
    cooperation: NDArray[np.float64]
    fragmentation_events: int
    civilian_harm: float
    detainee_transfers: float


def summarize(run: Run) -> RunSummary:
    """The horizon totals of one run that every outcome reads."""
    by_drug = run.by_drug.groupby("drug")[
        ["delivered_kg", "seized_kg_mexico", "seized_kg_us_ports", "abstained_kg"]
    ].sum()
    by_drug["seized_kg"] = by_drug["seized_kg_mexico"] + by_drug["seized_kg_us_ports"]
    kg: dict[str, float] = {}
    for outcome in KG_OUTCOMES:
        kg[outcome] = float(by_drug[outcome].sum())
        for drug in DRUGS:
            kg[f"{outcome}_{drug}"] = float(by_drug[outcome].get(drug, 0.0))
    prices: dict[str, float] = {}
    for stage in ("border", "retail"):
        column = f"price_{stage}_usd_per_kg"
        if column in run.by_drug.columns:
            means = run.by_drug.groupby("drug")[column].mean()
            for drug in DRUGS:
                if drug in means.index:
                    prices[f"{stage}_{drug}"] = float(means[drug])
    return RunSummary(
        kg=kg,
        prices=prices,
        arriving_kg=run.crossings.groupby("crossing_id")["arriving_kg"].sum(),
        homicides=None if run.regions.empty else float(run.regions["homicides"].sum()),
        cooperation=np.asarray(run.cooperation, dtype=np.float64),
        fragmentation_events=run.fragmentation_events,
        civilian_harm=float(run.civilian_harm),
        detainee_transfers=float(run.detainee_transfers),
    )


OutcomeFunction = Callable[[RunSummary, RunSummary], float | None]


@dataclass(frozen=True)
class Outcome:
    """One outcome: its column, unit, meaning and per-replication function.

    Attributes:
        name: The column in ``results.csv`` and the key in ``--json``.
        unit: The unit of a value (``kg``, ``%``, ``deaths``, ...).
        description: What it means, as DESIGN.md defines it.
        function: ``(run, baseline_run) -> value``, both of the same replication; ``None``
            when the data cannot support it.
        interval: Whether ``_p05`` / ``_p95`` columns carry its spread over replications.
        since: The results format that added the column (later columns are appended).
        interval_since: The format that added its interval columns (default: ``since``).
    """

    name: str
    unit: str
    description: str
    function: OutcomeFunction
    interval: bool = False
    since: int = 1
    interval_since: int | None = None

    def __call__(self, run: RunSummary, baseline: RunSummary) -> float | None:
        """The outcome of one replication, paired with the baseline's same replication."""
        return self.function(run, baseline)


def _kg(name: str) -> OutcomeFunction:
    return lambda run, _: run.kg[name]


def _price(name: str) -> OutcomeFunction:
    return lambda run, _: run.prices.get(name)


def _price_change(drug: str) -> OutcomeFunction:
    def change(run: RunSummary, baseline: RunSummary) -> float | None:
        now, base = run.prices.get(f"retail_{drug}"), baseline.prices.get(f"retail_{drug}")
        if now is None or base is None or base == 0.0:
            return None
        return 100.0 * (now - base) / base

    return change


def _change_pct(run: RunSummary, baseline: RunSummary) -> float:
    base = baseline.kg["delivered_kg"]
    return 100.0 * (run.kg["delivered_kg"] - base) / base


def _crossings(run: RunSummary, baseline: RunSummary) -> pd.Series:
    return run.arriving_kg.reindex(baseline.arriving_kg.index, fill_value=0.0)


def _diversion_share(run: RunSummary, baseline: RunSummary) -> float:
    base = baseline.arriving_kg
    gained = np.maximum(0.0, _crossings(run, baseline) - base).sum()
    return min(float(gained / base.sum()), 1.0) if base.sum() > 0 else 0.0


def _active_crossings(run: RunSummary, baseline: RunSummary) -> float:
    arriving = _crossings(run, baseline)
    total = float(arriving.sum())
    return float((arriving >= 0.01 * total).sum()) if total > 0 else 0.0


def _excess_homicides(run: RunSummary, baseline: RunSummary) -> float | None:
    if run.homicides is None or baseline.homicides is None:
        return None
    return run.homicides - baseline.homicides


def _cooperation_end(run: RunSummary, _: RunSummary) -> float | None:
    return float(run.cooperation[-1]) if run.cooperation.size else None


def _cooperation_min(run: RunSummary, _: RunSummary) -> float | None:
    return float(run.cooperation.min()) if run.cooperation.size else None


_KG_MEANING = {
    "delivered_kg": "kg that reach the US market (after seizures at the ports)",
    "seized_kg": "kg seized, in Mexico and at US ports",
    "seized_kg_mexico": "kg seized on Mexican roads",
    "seized_kg_us_ports": "kg seized at US ports of entry",
    "abstained_kg": "potential supply not shipped",
}

OUTCOMES: tuple[Outcome, ...] = (
    *(
        Outcome(name, "kg", f"{meaning}, horizon total, all drugs", _kg(name), interval=True)
        if name == "delivered_kg"
        else Outcome(name, "kg", f"{meaning}, horizon total, all drugs", _kg(name))
        for name, meaning in _KG_MEANING.items()
    ),
    *(
        Outcome(f"{name}_{drug}", "kg", f"{meaning}, horizon total, {drug}", _kg(f"{name}_{drug}"))
        for name, meaning in _KG_MEANING.items()
        for drug in DRUGS
    ),
    Outcome(
        "delivered_change_pct",
        "%",
        "100 (delivered - delivered[baseline]) / delivered[baseline], paired per replication",
        _change_pct,
        interval=True,
    ),
    Outcome(
        "diversion_share",
        "share",
        "baseline arriving kg that moved to other crossings: sum_c max(0, X_c - X_c^base) / "
        "sum_c X_c^base",
        _diversion_share,
    ),
    Outcome(
        "active_crossings",
        "crossings",
        "crossings whose arriving kg is at least 1% of the strategy's total",
        _active_crossings,
    ),
    Outcome(
        "excess_homicides",
        "homicides",
        "homicides over all states and months minus the baseline's, paired per replication",
        _excess_homicides,
        interval=True,
    ),
    Outcome(
        "fragmentation_events",
        "organizations",
        "organizations split over the horizon",
        lambda run, _: float(run.fragmentation_events),
        interval=True,
    ),
    Outcome(
        "civilian_harm",
        "deaths",
        "expected civilian deaths from strikes over the horizon",
        lambda run, _: run.civilian_harm,
        interval=True,
    ),
    Outcome(
        "cooperation_end",
        "index 0-1",
        "Mexico's cooperation index at the end of the last month",
        _cooperation_end,
        interval=True,
        interval_since=2,
    ),
    Outcome(
        "cooperation_min",
        "index 0-1",
        "the lowest monthly cooperation index over the horizon",
        _cooperation_min,
        interval=True,
        interval_since=2,
    ),
    Outcome(
        "detainee_transfers",
        "transfers",
        "expected transfers of detainees to the US over the horizon",
        lambda run, _: run.detainee_transfers,
        interval=True,
        since=2,
    ),
    *(
        Outcome(
            f"price_{stage}_{drug}",
            "USD per kg",
            f"{stage} price of {drug}, mean over the months, per kg as trafficked",
            _price(f"{stage}_{drug}"),
            since=3,
        )
        for drug in DRUGS
        for stage in ("border", "retail")
    ),
    *(
        Outcome(
            f"price_change_pct_{drug}",
            "%",
            f"100 (retail price - baseline's) / baseline's, {drug}, horizon means, paired",
            _price_change(drug),
            interval=True,
            since=3,
        )
        for drug in DRUGS
    ),
)
LEGAL_COLUMNS = tuple(f"legal_{framework}" for framework in FRAMEWORKS)
INTERVAL_OUTCOMES = tuple(o.name for o in OUTCOMES if o.interval)
_BY_NAME = {o.name: o for o in OUTCOMES}


def _columns() -> tuple[str, ...]:
    """The columns of ``results.csv`` in their fixed order (module docstring)."""
    columns = ["strategy", "label"]
    versions = sorted({o.since for o in OUTCOMES} | {o.interval_since or o.since for o in OUTCOMES})
    for version in versions:
        columns += [o.name for o in OUTCOMES if o.since == version]
        if version == 1:
            columns += [*LEGAL_COLUMNS, "not_computed"]
        columns += [
            f"{o.name}_{end}"
            for o in OUTCOMES
            if o.interval and (o.interval_since or o.since) == version
            for end in ("p05", "p95")
        ]
    return tuple(columns)


RESULT_COLUMNS = _columns()


def outcome_rows(
    scenario: Scenario,
    summaries: Mapping[str, Sequence[RunSummary]],
    verdicts: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``results.csv`` / ``--json``, one per strategy in scenario order.

    ``summaries[strategy][r]`` is replication r; each is paired with the baseline's same
    replication. ``active_crossings`` stays an integer when every replication agrees.
    ``verdicts[strategy][framework]`` is the worst verdict over the months; without it the
    legal columns are not computed.
    """
    baseline = summaries[BASELINE_ID]
    rows = []
    for strategy in scenario.strategy:
        runs = summaries[strategy.id]
        row: dict[str, Any] = {"strategy": strategy.id, "label": strategy.label}
        missing: list[str] = []
        for outcome in OUTCOMES:
            values = [outcome(run, base) for run, base in zip(runs, baseline, strict=True)]
            if any(v is None for v in values):
                row[outcome.name] = None
                missing.append(outcome.name)
                continue
            numbers = np.array(values, dtype=float)
            row[outcome.name] = float(numbers.mean())
            if outcome.interval:
                for end, q in (("p05", 0.05), ("p95", 0.95)):
                    row[f"{outcome.name}_{end}"] = float(np.quantile(numbers, q, method="linear"))
            if outcome.name == "active_crossings" and np.all(numbers == numbers[0]):
                row[outcome.name] = int(numbers[0])
        found = verdicts.get(strategy.id) if verdicts is not None else None
        for framework, column in zip(FRAMEWORKS, LEGAL_COLUMNS, strict=True):
            row[column] = found[framework] if found is not None else None
            if found is None:
                missing.append(column)
        row["not_computed"] = [c for c in RESULT_COLUMNS if c in missing]
        rows.append({column: row.get(column) for column in RESULT_COLUMNS})
    return rows


def outcome(name: str) -> Outcome:
    """The declared outcome called ``name``."""
    return _BY_NAME[name]
