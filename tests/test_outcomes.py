"""Each outcome of DESIGN.md on hand-made runs whose answers are known."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from counterflow.model.outcomes import (
    OUTCOMES,
    RESULT_COLUMNS,
    RunSummary,
    outcome,
    outcome_rows,
    summarize,
)
from counterflow.scenario import parse_scenario


@dataclass(frozen=True)
class HandRun:
    """A run made by hand: kg per drug and month, crossings, homicides, cooperation."""

    delivered: dict[str, float]
    arriving: dict[str, float]
    homicides: float | None = 100.0
    cooperation: np.ndarray = field(default_factory=lambda: np.array([0.7, 0.5, 0.6]))
    fragmentation_events: int = 0
    civilian_harm: float = 0.0
    detainee_transfers: float = 0.0
    retail: float = 100.0

    @property
    def by_drug(self) -> pd.DataFrame:
        rows = [
            {
                "month": month,
                "drug": drug,
                "shipped_kg": kg / 2 + 2.0,
                "abstained_kg": 1.0,
                "seized_kg_mexico": 0.5,
                "seized_kg_us_ports": 1.5,
                "delivered_kg": kg / 2,
                "price_border_usd_per_kg": self.retail / 5,
                "price_retail_usd_per_kg": self.retail + 10.0 * (month - 1),
            }
            for drug, kg in self.delivered.items()
            for month in (1, 2)
        ]
        return pd.DataFrame(rows)

    @property
    def crossings(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"crossing_id": list(self.arriving), "arriving_kg": list(self.arriving.values())}
        )

    @property
    def regions(self) -> pd.DataFrame:
        if self.homicides is None:
            return pd.DataFrame()
        return pd.DataFrame({"homicides": [self.homicides / 2, self.homicides / 2]})


BASE = summarize(HandRun({"fentanyl": 10.0, "cocaine": 30.0}, {"a": 60.0, "b": 40.0}))
MOVED = summarize(
    HandRun(
        {"fentanyl": 5.0, "cocaine": 25.0},
        {"a": 30.0, "b": 50.0, "c": 20.0, "d": 0.5},
        homicides=130.0,
        cooperation=np.array([0.4, 0.2, 0.3]),
        fragmentation_events=2,
        civilian_harm=7.5,
        detainee_transfers=3.0,
        retail=200.0,
    )
)


def value(name: str, run: RunSummary = MOVED, base: RunSummary = BASE) -> float | None:
    return outcome(name)(run, base)


def test_kg_outcomes_sum_over_months_and_drugs() -> None:
    assert value("delivered_kg") == 30.0
    assert value("delivered_kg_fentanyl") == 5.0
    assert value("delivered_kg_methamphetamine") == 0.0
    assert value("seized_kg_mexico") == 4 * 0.5
    assert value("seized_kg_us_ports") == 4 * 1.5
    assert value("seized_kg") == 4 * 2.0
    assert value("seized_kg_cocaine") == 2 * 2.0
    assert value("abstained_kg") == 4 * 1.0


def test_delivered_change_is_paired_against_the_baseline() -> None:
    assert value("delivered_change_pct") == pytest.approx(-25.0)
    assert value("delivered_change_pct", BASE) == 0.0


def test_diversion_share_counts_kg_moved_to_other_crossings() -> None:
    # a lost 30, b gained 10; c and d are not baseline crossings (they are reindexed away).
    assert value("diversion_share") == pytest.approx(10.0 / 100.0)
    assert value("diversion_share", BASE) == 0.0


def test_active_crossings_carry_one_percent_of_the_total() -> None:
    # Of the baseline crossings a (30) and b (50) both carry more than 1% of 80.
    assert value("active_crossings") == 2.0
    lone = summarize(HandRun({"cocaine": 1.0}, {"a": 100.0, "b": 0.9}))
    assert value("active_crossings", lone) == 1.0


def test_excess_homicides_and_not_computed_without_counts() -> None:
    assert value("excess_homicides") == 30.0
    assert value("excess_homicides", BASE) == 0.0
    silent = summarize(HandRun({"cocaine": 1.0}, {"a": 1.0}, homicides=None))
    assert value("excess_homicides", silent) is None


def test_organizations_cooperation_and_transfers() -> None:
    assert value("fragmentation_events") == 2.0
    assert value("civilian_harm") == 7.5
    assert value("cooperation_end") == pytest.approx(0.3)
    assert value("cooperation_min") == pytest.approx(0.2)
    assert value("detainee_transfers") == 3.0
    empty = summarize(HandRun({"cocaine": 1.0}, {"a": 1.0}, cooperation=np.zeros(0)))
    assert value("cooperation_end", empty) is None


def test_prices_are_horizon_means_and_their_change_is_paired() -> None:
    assert value("price_retail_cocaine") == pytest.approx(205.0)  # months at 200 and 210
    assert value("price_border_cocaine") == pytest.approx(40.0)
    assert value("price_change_pct_cocaine") == pytest.approx(100.0 * (205.0 - 105.0) / 105.0)
    assert value("price_change_pct_cocaine", BASE) == 0.0
    assert value("price_retail_methamphetamine") is None  # no such drug in these runs


def test_every_outcome_is_declared_once_with_unit_and_meaning() -> None:
    names = [o.name for o in OUTCOMES]
    assert len(names) == len(set(names))
    for declared in OUTCOMES:
        assert declared.unit
        assert declared.description
        assert declared.name in RESULT_COLUMNS
        if declared.interval:
            assert f"{declared.name}_p05" in RESULT_COLUMNS


def test_columns_keep_their_order_later_ones_appended() -> None:
    assert RESULT_COLUMNS[:3] == ("strategy", "label", "delivered_kg")
    assert RESULT_COLUMNS.index("not_computed") < RESULT_COLUMNS.index("detainee_transfers")
    position = {column: i for i, column in enumerate(RESULT_COLUMNS)}
    assert position["detainee_transfers_p95"] < position["price_border_fentanyl"]
    assert RESULT_COLUMNS[-2:] == ("price_change_pct_cocaine_p05", "price_change_pct_cocaine_p95")


def test_rows_mean_quantiles_and_not_computed() -> None:
    scenario = parse_scenario(
        {
            "name": "hand",
            "strategy": [{"id": "status-quo", "label": "Status quo"}, {"id": "x", "label": "X"}],
        }
    )
    other = summarize(HandRun({"cocaine": 20.0}, {"a": 100.0}, homicides=None))
    rows = outcome_rows(scenario, {"status-quo": [BASE, BASE], "x": [MOVED, other]})
    x = rows[1]
    assert list(x) == list(RESULT_COLUMNS)
    assert x["delivered_kg"] == pytest.approx((30.0 + 20.0) / 2)
    assert x["delivered_kg_p05"] == pytest.approx(20.0 + 0.05 * 10.0)
    assert x["excess_homicides"] is None
    assert "excess_homicides" in x["not_computed"]
    assert "legal_us" in x["not_computed"]  # no verdicts given
    assert isinstance(rows[0]["active_crossings"], int)
