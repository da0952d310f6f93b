"""The drug market behind the routes, tested against what the literature measures.

Dobkin & Nicosia (2009): a precursor shock that tripled the methamphetamine price was gone from
the price within four months. Caulkins (1990): under the additive rule a dollar at the border
is a dollar at retail. Replacement: traffickers ship more to deliver what the market buys, so
more seizures cut delivered kg by less than the extra kg seized (FACTS.md 4).
"""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pandas as pd
import pytest

from counterflow.cli import main
from counterflow.data import builtin_path, load_dataset
from counterflow.model import prepare, simulate
from counterflow.scenario import BASELINE_ID, builtin_scenario_path, parse_scenario
from counterflow.traffic import pass_through, price_ladders

DRUGS = ("fentanyl", "methamphetamine", "cocaine")
OFFICES = ("San Diego", "Tucson", "El Paso", "Laredo")


def scenario(strategies: list[dict[str, Any]], parameters: dict[str, float], months: int):
    data = tomllib.loads(builtin_scenario_path().read_text())
    data["strategy"] = [{"id": BASELINE_ID, "label": "Status quo"}, *strategies]
    data.update(parameters=parameters, months=months, replications=1)
    return parse_scenario(data)


def monthly(run) -> pd.DataFrame:
    return run.by_drug.set_index(["month", "drug"]).sort_index()


def runs(parameters: dict[str, float], strategies: list[dict[str, Any]], months: int = 1):
    context = prepare(scenario(strategies, parameters, months))
    return {s.id: monthly(simulate(context, s)) for s in context.scenario.strategy}


def test_a_1995_precursor_shock_spikes_the_price_which_returns_within_months() -> None:
    shock = {
        "id": "shock",
        "label": "1995-style precursor shock",
        "levers": {"consent": True, "precursor_inspection": 1.0},
    }
    found = runs({}, [shock], months=18)
    base, hit = found[BASELINE_ID], found["shock"]
    meth = ("methamphetamine",)
    price = hit.xs(meth[0], level="drug")["price_retail_usd_per_kg"]
    price0 = base.xs(meth[0], level="drug")["price_retail_usd_per_kg"]
    delivered = hit.xs(meth[0], level="drug")["delivered_kg"]
    delivered0 = base.xs(meth[0], level="drug")["delivered_kg"]
    assert price[1] > 2.0 * price0[1]  # a spike of the 1995 kind (the price tripled then)
    assert abs(price[6] / price0[6] - 1.0) <= 0.10  # back within 10% by month 6
    assert delivered[1] < 0.7 * delivered0[1]
    assert abs(delivered[18] / delivered0[18] - 1.0) <= 0.10  # back within 10% by month 18
    # Cocaine needs no sea-borne precursors: its market barely moves.
    cocaine = hit.xs("cocaine", level="drug")["delivered_kg"]
    np.testing.assert_allclose(cocaine, base.xs("cocaine", level="drug")["delivered_kg"], rtol=1e-2)


def test_more_seizures_are_replaced_delivered_falls_less_than_the_extra_seized() -> None:
    surge = {
        "id": "surge",
        "label": "Port seizures up",
        "levers": {"port_inspection": dict.fromkeys(OFFICES, 2.0)},
    }
    found = runs({}, [surge])
    base, more = found[BASELINE_ID], found["surge"]
    extra_seized = (more["seized_kg_us_ports"] - base["seized_kg_us_ports"]).sum()
    fewer_delivered = (base["delivered_kg"] - more["delivered_kg"]).sum()
    assert extra_seized > 0
    assert 0 < fewer_delivered < extra_seized
    assert (more["price_border_usd_per_kg"] > base["price_border_usd_per_kg"]).all()
    assert (more["shipped_kg"].sum()) > base["shipped_kg"].sum() - fewer_delivered


@pytest.mark.parametrize(
    "levers",
    [
        {"port_inspection": dict.fromkeys(OFFICES, 2.0)},
        {"state_enforcement": {"SON": 3.0, "TAM": 3.0, "SIN": 3.0}},
        {"sanctions": ["sinaloa", "cjng", "noreste", "golfo"]},
    ],
)
def test_without_demand_response_flow_levers_do_not_move_delivered_kg(levers) -> None:
    inelastic = {f"market.demand_elasticity.{drug}": 0.0 for drug in DRUGS}
    found = runs(inelastic, [{"id": "lever", "label": "A flow lever", "levers": levers}])
    np.testing.assert_allclose(
        found["lever"]["delivered_kg"], found[BASELINE_ID]["delivered_kg"], rtol=1e-3
    )


def test_additive_pass_through_moves_retail_dollar_for_dollar() -> None:
    ladders = price_ladders(load_dataset())
    cocaine = ladders["cocaine"]
    assert pass_through(cocaine, 1.0) == 1.0
    assert pass_through(cocaine, 0.0) == pytest.approx(cocaine.retail / cocaine.border)
    # A $1,000/kg laundering surcharge on every organization, quantities fixed: the border
    # price rises by $1,000 and, under the additive rule, so does the retail price.
    parameters = {f"market.demand_elasticity.{drug}": 0.0 for drug in DRUGS}
    parameters |= {
        "market.pass_through_additive": 1.0,
        "traffic.sanctions_surcharge": 1000.0 / cocaine.border,
    }
    organizations = ["sinaloa", "cjng", "noreste", "golfo", "familia-michoacana", "carteles-unidos"]
    found = runs(parameters, [{"id": "s", "label": "S", "levers": {"sanctions": organizations}}])
    rise = (found["s"] - found[BASELINE_ID]).xs("cocaine", level="drug")
    assert float(rise["price_border_usd_per_kg"].iloc[0]) == pytest.approx(1000.0, rel=2e-3)
    assert float(rise["price_retail_usd_per_kg"].iloc[0]) == pytest.approx(1000.0, rel=2e-3)


def test_the_status_quo_reproduces_the_calibration_and_stocks_balance() -> None:
    strikes = {
        "id": "strikes",
        "label": "Supply-chain strikes",
        "levers": {
            "consent": False,
            "isr_coverage": 0.5,
            "supply_strikes": {"capacity_share": 0.3},
        },
    }
    found = runs({}, [strikes], months=4)
    supply = load_dataset().supply.groupby("drug")["kg_per_month"].sum()
    base = found[BASELINE_ID]
    for drug in DRUGS:
        shipped = base.xs(drug, level="drug")["shipped_kg"]
        np.testing.assert_allclose(shipped, supply[drug], rtol=1e-4)
    for table in found.values():
        seized = table["seized_kg_mexico"] + table["seized_kg_us_ports"]
        np.testing.assert_allclose(table["delivered_kg"] + seized, table["shipped_kg"], rtol=1e-12)
        assert (table["abstained_kg"] >= -1e-9).all()
    # Strikes on supply chains cut synthetic supply while capacity is down, and it is rebuilt.
    fentanyl = found["strikes"].xs("fentanyl", level="drug")["delivered_kg"]
    assert fentanyl[1] < base.xs("fentanyl", level="drug")["delivered_kg"][1]


def test_bad_prices_are_one_line_errors(tmp_path, capsys) -> None:
    import shutil

    folder = tmp_path / "net"
    shutil.copytree(builtin_path("mexico"), folder)
    prices = (folder / "prices.csv").read_text().splitlines()
    lines = [line.replace("cocaine,retail,93000", "cocaine,retail,9300") for line in prices]
    (folder / "prices.csv").write_text("\n".join(lines) + "\n")
    text = (
        builtin_scenario_path()
        .read_text()
        .replace('network = "builtin:mexico"', f'network = "{folder}"')
    )
    (tmp_path / "s.toml").write_text(text)
    assert main(["compare", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out")]) == 2
    err = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.strip() and not line.startswith("note:")
    ]
    assert len(err) == 1
    assert "prices.csv" in err[0]
    assert "not above its border price" in err[0]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("market.demand_elasticity.cocaine", -0.5),
        ("market.pass_through_additive", 1.5),
        ("market.precursor_half_life_months", 0.0),
        ("market.supply_strike_rebuild_half_life_months", -1.0),
    ],
)
def test_bad_market_parameters_are_one_line_errors(key, value, tmp_path, capsys) -> None:
    text = (
        builtin_scenario_path()
        .read_text()
        .replace("[parameters]", f'[parameters]\n"{key}" = {value}', 1)
    )
    (tmp_path / "s.toml").write_text(text)
    assert main(["validate", str(tmp_path / "s.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"parameters.{key}" in err[0]
    assert "outside" in err[0]


def test_replacement_factors_agree_with_the_final_equilibrium() -> None:
    """The factors a month ships with are those its own final (gap 1e-6) flows imply."""
    from counterflow.model.worlds import REPLACEMENT_TOL, WorldCache, base_key, solve_world
    from counterflow.traffic import ClassKey, class_loss_shares

    surge = {
        "id": "surge",
        "label": "Port seizures up",
        "levers": {"port_inspection": dict.fromkeys(OFFICES, 3.0)},
    }
    context = prepare(scenario([surge], {}, 1))
    strategy = next(s for s in context.scenario.strategy if s.id == "surge")
    solved = solve_world(context, strategy, base_key(context), WorldCache("surge"))
    assert solved.result.relative_gap <= 1e-6
    losses = class_loss_shares(solved.world, solved.result)
    moved = 0
    for key, loss in zip(solved.world.classes, losses, strict=True):
        loss0 = context.markets[ClassKey(key.org, key.drug)].loss_share
        wanted = (1.0 - loss0) / (1.0 - float(loss))
        assert abs(wanted - solved.replacement[key]) <= REPLACEMENT_TOL
        moved += solved.replacement[key] > 1.0 + REPLACEMENT_TOL
    assert moved > 0  # the surge does make traffickers ship more
