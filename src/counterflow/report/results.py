"""Outcome rows of a comparison, by the definitions of DESIGN.md ("Outcomes").

One row per strategy, in scenario order. kg outcomes are horizon totals (sums over months),
summed over drugs plus one column per drug. Outcomes the model does not compute yet are
``None`` (``null`` in JSON, empty in CSV, ``n/c`` in tables) and listed in ``not_computed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from counterflow.model import RunResult
from counterflow.scenario import BASELINE_ID, Scenario
from counterflow.traffic import DRUGS

__all__ = ["KG_OUTCOMES", "NOT_COMPUTED", "RESULT_COLUMNS", "crossing_rows", "result_rows"]

KG_OUTCOMES = (
    "delivered_kg",
    "seized_kg",
    "seized_kg_mexico",
    "seized_kg_us_ports",
    "abstained_kg",
)
NOT_COMPUTED = (
    "excess_homicides",
    "fragmentation_events",
    "civilian_harm",
    "cooperation_end",
    "cooperation_min",
    "legal_international",
    "legal_us",
    "legal_mexico",
)
RESULT_COLUMNS = (
    "strategy",
    "label",
    *KG_OUTCOMES,
    *(f"{outcome}_{drug}" for outcome in KG_OUTCOMES for drug in DRUGS),
    "delivered_change_pct",
    "diversion_share",
    "active_crossings",
    *NOT_COMPUTED,
    "not_computed",
)


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


def result_rows(scenario: Scenario, runs: dict[str, RunResult]) -> list[dict[str, Any]]:
    """Rows of ``results.csv`` / ``--json``, one per strategy in scenario order."""
    baseline = runs[BASELINE_ID]
    base_totals = _totals(baseline)
    base_arriving = _arriving_by_crossing(baseline)
    rows = []
    for strategy in scenario.strategy:
        run = runs[strategy.id]
        totals = _totals(run)
        arriving = _arriving_by_crossing(run).reindex(base_arriving.index, fill_value=0.0)
        gained = np.maximum(0.0, arriving - base_arriving).sum()
        diversion = float(gained / base_arriving.sum()) if base_arriving.sum() > 0 else 0.0
        total = float(arriving.sum())
        base_delivered = base_totals["delivered_kg"]
        change = 100.0 * (totals["delivered_kg"] - base_delivered) / base_delivered
        row: dict[str, Any] = {"strategy": strategy.id, "label": strategy.label, **totals}
        row["delivered_change_pct"] = 0.0 if strategy.id == BASELINE_ID else change
        row["diversion_share"] = 0.0 if strategy.id == BASELINE_ID else min(diversion, 1.0)
        row["active_crossings"] = int((arriving >= 0.01 * total).sum()) if total > 0 else 0
        for outcome in NOT_COMPUTED:
            row[outcome] = None
        row["not_computed"] = list(NOT_COMPUTED)
        rows.append({column: row[column] for column in RESULT_COLUMNS})
    return rows


def crossing_rows(runs: dict[str, RunResult], order: tuple[str, ...]) -> pd.DataFrame:
    """Rows of ``crossings.csv``: strategy, replication, month, crossing and kg per commodity."""
    frames = [
        runs[strategy].crossings.assign(strategy=strategy, replication=0) for strategy in order
    ]
    table = pd.concat(frames, ignore_index=True)
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
    return table[columns]
