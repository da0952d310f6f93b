"""Outcome rows of a comparison, by the definitions of DESIGN.md ("Outcomes").

One row per strategy, in scenario order. kg outcomes are horizon totals (sums over months),
summed over drugs plus one column per drug. Outcomes the model does not compute yet are
``None`` (``null`` in JSON, empty in CSV, ``n/c`` in tables) and listed in ``not_computed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from counterflow.model import HorizonVerdicts, RunResult
from counterflow.scenario import BASELINE_ID, Scenario
from counterflow.traffic import DRUGS

__all__ = [
    "ALL_INTERVALS",
    "INTERVAL_OUTCOMES",
    "KG_OUTCOMES",
    "NOT_COMPUTED",
    "RESULT_COLUMNS",
    "crossing_rows",
    "region_rows",
    "result_rows",
]

KG_OUTCOMES = (
    "delivered_kg",
    "seized_kg",
    "seized_kg_mexico",
    "seized_kg_us_ports",
    "abstained_kg",
)
# Outcomes of organizations in time (excess homicides need the dataset's homicide counts).
ORG_OUTCOMES = ("excess_homicides", "fragmentation_events", "civilian_harm")
COOPERATION_OUTCOMES = ("cooperation_end", "cooperation_min")
LEGAL_OUTCOMES = ("legal_international", "legal_us", "legal_mexico")
NOT_COMPUTED: tuple[str, ...] = ()  # every outcome of DESIGN.md is computed now
# Outcomes reported with _p05 / _p95 over replications (of the paired values).
INTERVAL_OUTCOMES = (
    "delivered_kg",
    "delivered_change_pct",
    "excess_homicides",
    "fragmentation_events",
    "civilian_harm",
)
LATER_INTERVAL_OUTCOMES = ("cooperation_end", "cooperation_min", "detainee_transfers")
RESULT_COLUMNS = (
    "strategy",
    "label",
    *KG_OUTCOMES,
    *(f"{outcome}_{drug}" for outcome in KG_OUTCOMES for drug in DRUGS),
    "delivered_change_pct",
    "diversion_share",
    "active_crossings",
    *ORG_OUTCOMES,
    *COOPERATION_OUTCOMES,
    *LEGAL_OUTCOMES,
    "not_computed",
    *(f"{outcome}_{end}" for outcome in INTERVAL_OUTCOMES for end in ("p05", "p95")),
    "detainee_transfers",
    *(f"{outcome}_{end}" for outcome in LATER_INTERVAL_OUTCOMES for end in ("p05", "p95")),
)
ALL_INTERVALS = (*INTERVAL_OUTCOMES, *LATER_INTERVAL_OUTCOMES)


def _totals(run: RunResult) -> dict[str, float]:
    by_drug = run.by_drug.groupby("drug")[
        ["delivered_kg", "seized_kg_mexico", "seized_kg_us_ports", "abstained_kg"]
    ].sum()
    by_drug["seized_kg"] = by_drug["seized_kg_mexico"] + by_drug["seized_kg_us_ports"]
    row: dict[str, float] = {}
    for outcome in KG_OUTCOMES:
        row[outcome] = float(by_drug[outcome].sum())
        for drug in DRUGS:
            row[f"{outcome}_{drug}"] = float(by_drug[outcome].get(drug, 0.0))
    return row


def _arriving_by_crossing(run: RunResult) -> pd.Series:
    return run.crossings.groupby("crossing_id")["arriving_kg"].sum()


def _summary(run: RunResult) -> tuple[dict[str, float], pd.Series]:
    """A run's kg totals and its arriving kg per crossing (each computed once per run)."""
    return _totals(run), _arriving_by_crossing(run)


def _paired(
    run: RunResult,
    summary: tuple[dict[str, float], pd.Series],
    baseline: RunResult,
    base_summary: tuple[dict[str, float], pd.Series],
    is_baseline: bool,
) -> dict[str, float | None]:
    """One replication's outcomes, paired with the baseline's same replication."""
    totals, arriving_all = summary
    base_totals, base_arriving = base_summary
    arriving = arriving_all.reindex(base_arriving.index, fill_value=0.0)
    gained = np.maximum(0.0, arriving - base_arriving).sum()
    diversion = float(gained / base_arriving.sum()) if base_arriving.sum() > 0 else 0.0
    total = float(arriving.sum())
    base_delivered = base_totals["delivered_kg"]
    change = 100.0 * (totals["delivered_kg"] - base_delivered) / base_delivered
    row: dict[str, float | None] = {**totals}
    row["delivered_change_pct"] = 0.0 if is_baseline else change
    row["diversion_share"] = 0.0 if is_baseline else min(diversion, 1.0)
    row["active_crossings"] = float((arriving >= 0.01 * total).sum()) if total > 0 else 0.0
    if run.regions.empty or baseline.regions.empty:
        row["excess_homicides"] = None
    else:
        excess = float(run.regions["homicides"].sum() - baseline.regions["homicides"].sum())
        row["excess_homicides"] = 0.0 if is_baseline else excess
    row["fragmentation_events"] = float(run.fragmentation_events)
    row["civilian_harm"] = run.civilian_harm
    row["cooperation_end"] = float(run.cooperation[-1]) if run.cooperation.size else None
    row["cooperation_min"] = float(run.cooperation.min()) if run.cooperation.size else None
    row["detainee_transfers"] = run.detainee_transfers
    return row


def result_rows(
    scenario: Scenario,
    runs: dict[str, list[RunResult]],
    legal: dict[str, HorizonVerdicts] | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``results.csv`` / ``--json``, one per strategy in scenario order.

    ``runs[strategy][r]`` is replication r. Each replication is paired with the baseline's
    same replication (common random numbers); a plain column is the mean over replications and
    ``_p05`` / ``_p95`` are ``numpy.quantile(..., method="linear")`` of the paired values
    (DESIGN.md, "Outcomes"). ``active_crossings`` stays an integer when every replication
    agrees. ``legal`` gives each strategy's verdicts (worst over its months); without it the
    legal columns are not computed.
    """
    baseline = runs[BASELINE_ID]
    base_summaries = [_summary(run) for run in baseline]
    rows = []
    for strategy in scenario.strategy:
        paired = [
            _paired(run, _summary(run), base, base_summary, strategy.id == BASELINE_ID)
            for run, base, base_summary in zip(
                runs[strategy.id], baseline, base_summaries, strict=True
            )
        ]
        row: dict[str, Any] = {"strategy": strategy.id, "label": strategy.label}
        missing: list[str] = []
        for key in paired[0]:
            values = [p[key] for p in paired]
            if any(v is None for v in values):
                row[key] = None
                missing.append(key)
                continue
            numbers = np.array(values, dtype=float)
            row[key] = float(numbers.mean())
            if key in ALL_INTERVALS:
                for end, q in (("p05", 0.05), ("p95", 0.95)):
                    row[f"{key}_{end}"] = float(np.quantile(numbers, q, method="linear"))
        if np.all(
            np.array([p["active_crossings"] for p in paired]) == paired[0]["active_crossings"]
        ):
            row["active_crossings"] = int(paired[0]["active_crossings"] or 0)
        for outcome in ALL_INTERVALS:
            for end in ("p05", "p95"):
                row.setdefault(f"{outcome}_{end}", None)
        verdicts = legal.get(strategy.id) if legal is not None else None
        for outcome in LEGAL_OUTCOMES:
            framework = outcome.removeprefix("legal_")
            row[outcome] = verdicts.verdicts[framework] if verdicts is not None else None
            if verdicts is None:
                missing.append(outcome)
        row["not_computed"] = [c for c in RESULT_COLUMNS if c in missing]
        rows.append({column: row[column] for column in RESULT_COLUMNS})
    return rows


def _stacked(runs: dict[str, list[RunResult]], order: tuple[str, ...], table: str) -> pd.DataFrame:
    frames = [
        getattr(run, table).assign(strategy=strategy, replication=run.replication)
        for strategy in order
        for run in runs[strategy]
        if not getattr(run, table).empty
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def crossing_rows(runs: dict[str, list[RunResult]], order: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``crossings.csv``: strategy, replication, month, crossing and kg per commodity."""
    columns = [
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
    ]
    return _stacked(runs, order, "crossings")[columns]


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


def region_rows(runs: dict[str, list[RunResult]], order: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``regions.csv`` (empty when the dataset has no homicide counts)."""
    table = _stacked(runs, order, "regions")
    return table[list(REGION_COLUMNS)] if not table.empty else table
