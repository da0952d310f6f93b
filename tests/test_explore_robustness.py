"""Robustness, regret, satisficing and Pareto on hand-made ensembles whose answers are known.

The ensemble: strategies A, B, C in futures 0-3, two replications each (value ∓ offset, so a
future's mean is the value below). Per-future means:

    delivered_kg (lower is better)      cooperation_end (higher is better)
         f0  f1  f2  f3   mean               f0   f1   f2   f3   mean
    A    10  20  30  40   25.00         A   0.5  0.6  0.7  0.8  0.650
    B    12  18  35  30   23.75         B   0.6  0.6  0.5  0.9  0.650
    C    15  15  15  50   23.75         C   0.4  0.7  0.7  0.7  0.625
    best 10  15  15  30                 best 0.6 0.7  0.7  0.9

Regret on delivered_kg (value - best): A 0, 5, 15, 10 (mean 7.5, max 15); B 2, 3, 20, 0
(mean 6.25, max 20); C 5, 0, 0, 20 (mean 6.25, max 20). The 95% quantile of four values
(numpy "linear") sits at position 0.95 * 3 = 2.85 of the sorted values: A 10 + 0.85 * 5 =
14.25, B 3 + 0.85 * 17 = 17.45, C 5 + 0.85 * 15 = 17.75. Likewise A's delivered p05 is
10 + 0.15 * 10 = 11.5 and p95 30 + 0.85 * 10 = 38.5.

Regret on cooperation_end (best - value): A 0.1, 0.1, 0, 0.1 (mean 0.075); B 0, 0.1, 0.2, 0
(mean 0.075, max 0.2); C 0.2, 0, 0, 0.2 (mean 0.1, max 0.2).

Satisficing "delivered_kg<=20, cooperation_end>=0.6": A holds in f1 only (1/4); B in f0, f1
(2/4); C in f1, f2 (2/4). With "delivered_kg<20" A holds nowhere.

Pareto on the means (delivered lower, cooperation higher): B dominates A (less delivered,
equal cooperation) and C (equal delivered, more cooperation): the set is {B}.
"""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterflow.errors import InputError
from counterflow.exploration.robustness import (
    SENSE,
    Rule,
    Sense,
    pareto,
    parse_rules,
    regret,
    regret_per_future,
    robustness,
    satisficing,
    strategy_table,
)
from counterflow.model.outcomes import OUTCOMES

DELIVERED = {"A": (10, 20, 30, 40), "B": (12, 18, 35, 30), "C": (15, 15, 15, 50)}
COOPERATION = {"A": (0.5, 0.6, 0.7, 0.8), "B": (0.6, 0.6, 0.5, 0.9), "C": (0.4, 0.7, 0.7, 0.7)}


def _row(strategy: str, future: int, replication: int, **values: object) -> dict[str, object]:
    return {"strategy": strategy, "future_id": future, "replication": replication, **values}


def ensemble(extra: list[dict[str, object]] | None = None) -> pd.DataFrame:
    """The module docstring's ensemble, plus ``extra`` rows."""
    rows = [
        _row(
            strategy,
            future,
            replication,
            delivered_kg=DELIVERED[strategy][future] + offset,
            seized_kg=5.0 * future,
            cooperation_end=COOPERATION[strategy][future] + offset / 20,
            error=None,
        )
        for strategy in "ABC"
        for future in range(4)
        for replication, offset in ((0, -1.0), (1, 1.0))
    ]
    return pd.DataFrame(rows + (extra or []))


def with_failures() -> pd.DataFrame:
    """The ensemble plus failures: none of them may change a statistic.

    A, future 0: a third replication that succeeded without a delivered value (NaN) and one
    whose error is blank (a success); B, future 1: a replication that raised, with a wild value;
    C, future 3: both replications raised.
    """
    table = ensemble(
        [
            _row("A", 0, 2, delivered_kg=np.nan, seized_kg=0.0, cooperation_end=0.5, error=None),
            _row("A", 0, 3, delivered_kg=10.0, seized_kg=0.0, cooperation_end=0.5, error="  "),
            _row("B", 1, 2, delivered_kg=999.0, seized_kg=9.0, cooperation_end=9.0, error="boom"),
        ]
    )
    c_f3 = (table["strategy"] == "C") & (table["future_id"] == 3)
    table.loc[c_f3, "error"] = "SolverError: did not converge"
    table.loc[c_f3, ["delivered_kg", "cooperation_end"]] = 1e9
    return table


def test_sense_covers_every_declared_outcome() -> None:
    declared = [o.name for o in OUTCOMES]
    assert sorted(SENSE) == sorted(declared), "give every outcome a sense (min, max or none)"
    assert set(SENSE.values()) <= set(get_args(Sense))
    assert SENSE["delivered_kg"] == "min"
    assert SENSE["excess_homicides"] == "min"
    assert SENSE["civilian_harm"] == "min"
    assert SENSE["cooperation_end"] == "max"
    assert SENSE["seized_kg"] == "none"


def test_robustness_known_answer() -> None:
    table = robustness(ensemble())
    assert list(table["outcome"].unique()) == ["delivered_kg", "seized_kg", "cooperation_end"]
    assert list(table["strategy"].unique()) == ["A", "B", "C"]
    row = table.set_index(["strategy", "outcome"])
    assert row.loc[("A", "delivered_kg"), ["mean", "p05", "p95"]].tolist() == pytest.approx(
        [25.0, 11.5, 38.5]
    )
    assert row.loc[("B", "delivered_kg"), ["mean", "p05", "p95"]].tolist() == pytest.approx(
        [23.75, 12.9, 34.25]
    )
    assert row.loc[("C", "cooperation_end"), "mean"] == pytest.approx(0.625)
    assert row.loc[("A", "delivered_kg"), "sense"] == "min"
    assert row.loc[("A", "cooperation_end"), "sense"] == "max"
    assert row.loc[("A", "seized_kg"), "sense"] == "none"
    assert (table["n_futures"] == 4).all()
    assert (table["n_failed"] == 0).all()


def test_robustness_excludes_and_counts_failures() -> None:
    clean = robustness(ensemble()).set_index(["strategy", "outcome"])
    table = robustness(with_failures()).set_index(["strategy", "outcome"])
    for strategy in "AB":
        pd.testing.assert_series_equal(
            table.loc[strategy, "mean"], clean.loc[strategy, "mean"], check_exact=False
        )
    assert table.loc[("C", "delivered_kg"), "mean"] == pytest.approx(15.0)
    assert table.loc[("C", "delivered_kg"), "n_futures"] == 3
    assert table.xs("delivered_kg", level="outcome")["n_failed"].tolist() == [0, 1, 2]


def test_robustness_on_chosen_outcomes_and_an_unknown_one() -> None:
    table = robustness(ensemble(), ["cooperation_end"])
    assert table["outcome"].unique().tolist() == ["cooperation_end"]
    with pytest.raises(InputError, match="did you mean delivered_kg") as caught:
        robustness(ensemble(), ["delivered_kgs"])
    assert caught.value.key == "outcomes"
    with pytest.raises(InputError, match="future_id") as caught:
        robustness(ensemble().drop(columns="future_id"))
    assert caught.value.key == "experiments"


def test_regret_known_answer() -> None:
    per_future = regret_per_future(ensemble(), "delivered_kg")
    expected = [[0, 2, 5], [5, 3, 0], [15, 20, 0], [10, 0, 20]]
    np.testing.assert_allclose(per_future.to_numpy(), expected)
    assert per_future.columns.tolist() == ["A", "B", "C"]
    table = regret(ensemble(), "delivered_kg").set_index("strategy")
    assert table["mean_regret"].tolist() == pytest.approx([7.5, 6.25, 6.25])
    assert table["max_regret"].tolist() == pytest.approx([15.0, 20.0, 20.0])
    assert table["p95_regret"].tolist() == pytest.approx([14.25, 17.45, 17.75])
    assert table["n_futures"].tolist() == [4, 4, 4]
    assert (table["sense"] == "min").all()


def test_regret_when_higher_is_better() -> None:
    table = regret(ensemble(), "cooperation_end").set_index("strategy")
    assert table["mean_regret"].tolist() == pytest.approx([0.075, 0.075, 0.1])
    assert table["max_regret"].tolist() == pytest.approx([0.1, 0.2, 0.2])
    assert (regret_per_future(ensemble(), "cooperation_end").to_numpy() >= -1e-12).all()


def test_regret_compares_only_complete_futures() -> None:
    table = regret(with_failures(), "delivered_kg").set_index("strategy")
    # future 3 is left out (C has no value there): A 0, 5, 15; B 2, 3, 20; C 5, 0, 0
    assert table["mean_regret"].tolist() == pytest.approx([20 / 3, 25 / 3, 5 / 3])
    assert table["n_futures"].tolist() == [3, 3, 3]
    assert table["n_incomplete"].tolist() == [1, 1, 1]


def test_regret_needs_a_direction() -> None:
    with pytest.raises(InputError, match="no better direction") as caught:
        regret(ensemble(), "seized_kg")
    assert caught.value.key == "outcome"
    table = regret(ensemble(), "seized_kg", sense="max")  # every strategy seizes the same
    assert (table["max_regret"] == 0.0).all()
    with pytest.raises(InputError, match="did you mean cooperation_end"):
        regret(ensemble(), "cooperation_ends")


def test_satisficing_known_answer() -> None:
    table = satisficing(ensemble(), "delivered_kg<=20, cooperation_end>=0.6")
    assert table["strategy"].tolist() == ["A", "B", "C"]
    assert table["share"].tolist() == [0.25, 0.5, 0.5]
    assert table["n_satisficed"].tolist() == [1, 2, 2]
    assert table["n_futures"].tolist() == [4, 4, 4]
    strict = satisficing(ensemble(), " delivered_kg < 20 ,cooperation_end >= 0.6 ")
    assert strict["share"].tolist() == [0.0, 0.5, 0.5]
    rules = [Rule("delivered_kg", "<=", 20), Rule("cooperation_end", ">=", 0.6)]
    pd.testing.assert_frame_equal(satisficing(ensemble(), rules), table)


def test_satisficing_excludes_and_counts_failures() -> None:
    table = satisficing(with_failures(), "delivered_kg<=20,cooperation_end>=0.6")
    assert table["n_satisficed"].tolist() == [1, 2, 2]
    assert table["n_futures"].tolist() == [4, 4, 3]
    assert table["share"].tolist() == pytest.approx([0.25, 0.5, 2 / 3])
    assert table["n_failed"].tolist() == [0, 1, 2]


def test_parse_rules() -> None:
    assert parse_rules("delivered_change_pct<=-5,excess_homicides<=0") == (
        Rule("delivered_change_pct", "<=", -5.0),
        Rule("excess_homicides", "<=", 0.0),
    )
    rules = parse_rules("  cooperation_end >= 0.5 , civilian_harm==0, delivered_kg>1e3 ")
    assert [(r.outcome, r.op, r.value) for r in rules] == [
        ("cooperation_end", ">=", 0.5),
        ("civilian_harm", "==", 0.0),
        ("delivered_kg", ">", 1000.0),
    ]
    assert str(rules[0]) == "cooperation_end>=0.5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "rule 1 of 1 .* is empty"),
        ("delivered_kg<=1,", "rule 2 of 2 .* is empty"),
        ("delivered_kg<=1,,excess_homicides<=0", "rule 2 of 3 .* is empty"),
        ("delivered_kgg<=1", "unknown outcome 'delivered_kgg'.*did you mean delivered_kg"),
        ("zzz<=1", "unknown outcome 'zzz'.*docs/outputs.md"),
        ("delivered_kg=>1", "bad operator '=>'"),
        ("delivered_kg=1", "bad operator '='"),
        ("delivered_kg!=1", "bad operator '!='"),
        ("delivered_kg<<1", "bad operator '<<'"),
        ("delivered_kg 1", "no operator after 'delivered_kg'"),
        ("delivered_kg", "no operator"),
        ("delivered_kg<=", "no value after '<='"),
        ("delivered_kg<=abc", "value 'abc' .* is not a finite number"),
        ("delivered_kg<=5%", "value '5%' .* is not a finite number"),
        ("delivered_kg<=nan", "value 'nan' .* is not a finite number"),
        ("delivered_kg<=inf", "is not a finite number"),
        ("<=5", "does not start with an outcome name"),
        ("delivered_kg<=1\nexcess_homicides<=0", "not a finite number"),
    ],
)
def test_bad_rule_is_one_line_with_its_key(text: str, message: str) -> None:
    for call in (lambda: parse_rules(text), lambda: satisficing(ensemble(), text)):
        with pytest.raises(InputError, match=message) as caught:
            call()
        assert caught.value.key == "satisfice"
        assert "\n" not in str(caught.value)
        assert str(caught.value).startswith("satisfice: ")


def test_bad_rule_objects() -> None:
    with pytest.raises(InputError, match="bad operator") as caught:
        Rule("delivered_kg", "=>", 1.0)  # type: ignore[arg-type]
    assert caught.value.key == "satisfice"
    with pytest.raises(InputError, match="not a finite number"):
        Rule("delivered_kg", "<=", float("nan"))
    with pytest.raises(InputError, match="did you mean delivered_kg") as caught:
        satisficing(ensemble(), [Rule("delivered_kgs", "<=", 1.0)])
    assert caught.value.key == "satisfice"
    with pytest.raises(InputError, match="no rule") as caught:
        satisficing(ensemble(), [])
    assert caught.value.key == "satisfice"


def test_pareto_drops_dominated_strategies() -> None:
    means = strategy_table(robustness(ensemble()))
    assert means.columns.tolist() == ["strategy", "delivered_kg", "seized_kg", "cooperation_end"]
    front = pareto(means, ["delivered_kg", "cooperation_end"])
    assert front["strategy"].tolist() == ["B"]
    # on delivered alone B and C tie at 23.75: both are kept
    assert pareto(means, ["delivered_kg"])["strategy"].tolist() == ["B", "C"]
    worst = strategy_table(robustness(ensemble()), "p95")
    assert worst.loc[worst["strategy"] == "A", "delivered_kg"].item() == pytest.approx(38.5)


def test_pareto_keeps_ties_and_trade_offs() -> None:
    table = pd.DataFrame(
        {
            "strategy": ["tie-1", "tie-2", "trade-off", "dominated"],
            "delivered_kg": [10.0, 10.0, 5.0, 12.0],
            "excess_homicides": [3.0, 3.0, 8.0, 3.0],
        }
    )
    front = pareto(table, ["delivered_kg", "excess_homicides"])
    assert front["strategy"].tolist() == ["tie-1", "tie-2", "trade-off"]
    pd.testing.assert_frame_equal(front, table.iloc[:3])


def test_pareto_bad_input() -> None:
    means = strategy_table(robustness(ensemble()))
    with pytest.raises(InputError, match="cannot rank 'seized_kg'") as caught:
        pareto(means, ["delivered_kg", "seized_kg"])
    assert caught.value.key == "outcomes"
    front = pareto(means, ["delivered_kg", "seized_kg"], senses={"seized_kg": "max"})
    assert front["strategy"].tolist() == ["B", "C"]
    with pytest.raises(InputError, match="did you mean delivered_kg"):
        pareto(means, ["delivered_kgs"])
    with pytest.raises(InputError, match="no outcome"):
        pareto(means, [])
    means.loc[1, "delivered_kg"] = np.nan
    with pytest.raises(InputError, match="'B' has no value for 'delivered_kg'"):
        pareto(means, ["delivered_kg"])


def _dominates(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and a != b


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=8))
def test_pareto_matches_the_definition(points: list[tuple[int, int]]) -> None:
    table = pd.DataFrame(points, columns=["delivered_kg", "civilian_harm"], dtype=float)
    front = pareto(table, ["delivered_kg", "civilian_harm"])
    expected = [i for i, p in enumerate(points) if not any(_dominates(q, p) for q in points)]
    assert front.index.tolist() == expected


def test_a_strategy_whose_every_experiment_failed() -> None:
    table = ensemble()
    table.loc[table["strategy"] == "C", "error"] = "boom"
    robust = robustness(table).set_index(["strategy", "outcome"])
    assert robust.loc[("C", "delivered_kg"), "n_futures"] == 0
    assert robust.loc[("C", "delivered_kg"), "n_failed"] == 8
    assert np.isnan(robust.loc[("C", "delivered_kg"), "mean"])
    compared = regret(table, "delivered_kg")
    assert compared["n_futures"].tolist() == [0, 0, 0]
    assert compared["n_incomplete"].tolist() == [4, 4, 4]
    shares = satisficing(table, "delivered_kg<=20")
    assert shares["n_futures"].tolist() == [4, 4, 0]
    assert np.isnan(shares["share"].iloc[2])


def test_an_outcome_column_of_text_is_refused() -> None:
    table = ensemble()
    table["delivered_kg"] = table["delivered_kg"].astype(str)
    table.loc[0, "delivered_kg"] = "n/c"
    with pytest.raises(
        InputError, match="'delivered_kg' holds values that are not numbers"
    ) as caught:
        robustness(table)
    assert caught.value.key == "experiments"
