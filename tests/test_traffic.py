"""The trafficking model on the built-in network, with a small synthetic supply made here.

The supply below is a test fixture, not data: it only needs classes from several origins and
organizations so that routes compete.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from counterflow.assign import solve_equilibrium
from counterflow.data import load_dataset
from counterflow.policy import resolve_month_policy
from counterflow.scenario import Levers
from counterflow.scenario.parameters import resolve_parameters
from counterflow.traffic import (
    build_trafficking_network,
    build_world,
    class_loss_shares,
    enforcement_by_state,
    market_baseline,
    month_flows,
)

SUPPLY = pd.DataFrame(
    [
        ("fentanyl", "prod-culiacan-labs", "sinaloa", 1000.0),
        ("fentanyl", "prod-jalisco", "cjng", 400.0),
        ("methamphetamine", "prod-culiacan-labs", "sinaloa", 30000.0),
        ("methamphetamine", "prod-jalisco", "cjng", 30000.0),
        ("methamphetamine", "prod-jalisco", "noreste", 8000.0),
        ("cocaine", "gt-ciudad-hidalgo", "sinaloa", 20000.0),
        ("cocaine", "sea-manzanillo", "cjng", 20000.0),
        ("cocaine", "gt-el-ceibo", "golfo", 8000.0),
    ],
    columns=["drug", "origin", "org_id", "kg_per_month"],
)
GAP = 1e-4


@pytest.fixture(scope="module")
def world():
    dataset = load_dataset()
    return dataset, build_trafficking_network(dataset), resolve_parameters({})


def policy_of(levers=None, *, consented=True, **factors):
    """The month's policy of these levers (default: none, with consent, factors 1)."""
    levers = Levers() if levers is None else levers
    return resolve_month_policy(levers, consented_this_month=consented, **factors)


def solve(world, levers=None, markets=None, params=None, *, consented=True, **factors):
    dataset, tnet, defaults = world
    policy = policy_of(levers, consented=consented, **factors)
    built = build_world(tnet, dataset, params or defaults, policy, SUPPLY, markets=markets)
    result = solve_equilibrium(built.problem, gap=GAP, max_iter=20000)
    assert result.converged
    return built, result, month_flows(tnet, built, result)


def test_graph_shape(world) -> None:
    _, tnet, _ = world
    border = np.flatnonzero(tnet.kind == "border")
    kinds = tnet.node_table["kind"].to_numpy()
    assert (kinds[tnet.network.tail[border]] == "port_of_entry").all()
    assert (kinds[tnet.network.head[border]] == "us_port").all()
    hubs = np.flatnonzero(tnet.kind == "hub")
    assert (tnet.network.head[hubs] == tnet.sink).all()
    assert len(border) == len(hubs) == (kinds == "port_of_entry").sum()
    # The US side is a dead end but for the market: no road leaves a US node.
    roads = tnet.kind == "road"
    assert not (kinds[tnet.network.tail[roads]] == "us_port").any()


def test_kg_are_accounted_for(world) -> None:
    _, _, month = solve(world)
    drugs = month.by_drug.set_index("drug")
    expected = SUPPLY.groupby("drug")["kg_per_month"].sum()
    np.testing.assert_allclose(drugs["shipped_kg"], expected[drugs.index], rtol=1e-12)
    balance = drugs["shipped_kg"] - drugs["seized_kg_mexico"] - drugs["seized_kg_us_ports"]
    np.testing.assert_allclose(drugs["delivered_kg"], balance, rtol=1e-12)
    crossings = month.crossings.groupby("commodity")[["arriving_kg", "seized_kg"]].sum()
    np.testing.assert_allclose(
        crossings.loc[drugs.index, "arriving_kg"],
        drugs["shipped_kg"] - drugs["seized_kg_mexico"],
        rtol=1e-9,
    )
    assert (drugs["seized_kg_mexico"] > 0).all()
    assert (drugs["seized_kg_us_ports"] > 0).all()


def test_enforcement_in_a_state_moves_flow_away(world) -> None:
    _, tnet, _ = world
    _, base, base_month = solve(world)
    _, surge, surge_month = solve(world, Levers(state_enforcement={"SON": 20.0}))
    in_sonora = (tnet.kind == "road") & ((tnet.state_a == "SON") | (tnet.state_b == "SON"))
    assert surge.link_flow[in_sonora].sum() < 0.8 * base.link_flow[in_sonora].sum()
    # The routes change their crossings: shorter legs through Sonora may leave at its own ports
    # rather than cross it to Baja California, so only the shift itself is asserted.
    before = base_month.crossings.groupby("crossing_id")["arriving_kg"].sum()
    after = surge_month.crossings.groupby("crossing_id")["arriving_kg"].sum()
    moved = (after - before).clip(lower=0).sum() / before.sum()
    assert moved > 0.05


def test_the_market_reproduces_the_baseline_and_responds(world) -> None:
    dataset, _, params = world
    baseline_world, baseline, baseline_month = solve(world)
    losses = class_loss_shares(baseline_world, baseline)
    markets = market_baseline(baseline_world, baseline.pair_cost, losses, params, dataset)
    _, _, again = solve(world, markets=markets)
    np.testing.assert_allclose(
        again.by_drug["shipped_kg"], baseline_month.by_drug["shipped_kg"], rtol=5e-3
    )
    offices = {"San Diego": 1.5, "Tucson": 1.5, "El Paso": 1.5, "Laredo": 1.5}
    _, _, surge = solve(world, Levers(port_inspection=offices), markets=markets)
    assert surge.by_drug["delivered_kg"].sum() < again.by_drug["delivered_kg"].sum()
    assert surge.by_drug["abstained_kg"].sum() > again.by_drug["abstained_kg"].sum()
    _, _, sanctioned = solve(world, Levers(sanctions=("sinaloa", "cjng")), markets=markets)
    assert sanctioned.by_drug["shipped_kg"].sum() < again.by_drug["shipped_kg"].sum()
    _, _, precursors = solve(world, Levers(precursor_inspection=0.5), markets=markets)
    shipped = precursors.by_drug.set_index("drug")["shipped_kg"]
    base = again.by_drug.set_index("drug")["shipped_kg"]
    cut = 0.5 * params["traffic.precursor_sea_dependence"]
    assert shipped["fentanyl"] == pytest.approx(base["fentanyl"] * (1 - cut), rel=1e-2)
    assert shipped["cocaine"] == pytest.approx(base["cocaine"], rel=1e-2)


def test_joint_operations_need_consent(world) -> None:
    _, _, base = solve(world)
    joint = {"organizations": ("sinaloa",), "intensity": 2.0}
    consented = Levers(joint_operations=joint, consent=True)
    _, _, with_consent = solve(world, consented)
    _, _, without = solve(world, Levers(joint_operations=joint, consent=False))
    _, _, refused = solve(world, consented, consented=False)
    assert with_consent.by_drug["seized_kg_mexico"].sum() > base.by_drug["seized_kg_mexico"].sum()
    for month in (without, refused):
        np.testing.assert_allclose(
            month.by_drug["seized_kg_mexico"], base.by_drug["seized_kg_mexico"]
        )


def test_lost_cooperation_weakens_enforcement_and_precursor_controls(world) -> None:
    _, _, base = solve(world)
    _, _, weak = solve(world, mexican_enforcement_factor=0.5)
    assert weak.by_drug["seized_kg_mexico"].sum() < base.by_drug["seized_kg_mexico"].sum()
    controls = Levers(precursor_inspection=0.5)
    _, _, full = solve(world, controls)
    _, _, halved = solve(world, controls, cooperation_ratio=0.5)

    def fentanyl(month):
        return month.by_drug.set_index("drug").loc["fentanyl", "shipped_kg"]

    assert fentanyl(full) < fentanyl(halved)


def test_enforcement_by_state_reads_the_month_policy(world) -> None:
    dataset, _, params = world
    joint = {"organizations": ("sinaloa",), "intensity": 1.0}
    levers = Levers(state_enforcement={"SON": 2.0}, joint_operations=joint, consent=True)
    acting = enforcement_by_state(dataset, params, policy_of(levers))
    paused = enforcement_by_state(
        dataset, params, policy_of(levers, consented=False, mexican_enforcement_factor=0.5)
    )
    assert paused["SON"] == pytest.approx(0.5 * 2.0)
    assert paused["JAL"] == pytest.approx(0.5)
    assert acting["SIN"] > 1.0  # joint operations where Sinaloa is strong
    assert acting["SON"] > 2.0


def test_equilibrium_conditions_hold_at_path_level_on_the_built_in_network(world) -> None:
    """Class flows decomposed into paths: every used path is within 1e-6 of the least cost.

    One origin per class (the largest of the calibrated supply) so that class flows decompose
    into origin paths. "Used" is what the remaining gap cannot hide (see ``check_paths``);
    gradient projection reaches gap 1e-10 here in well under a second.
    """
    from test_path_optimality import check_paths

    dataset, tnet, params = world
    supply = dataset.supply.sort_values(
        ["org_id", "drug", "kg_per_month"], ascending=[True, True, False]
    ).drop_duplicates(["org_id", "drug"])
    built = build_world(tnet, dataset, params, policy_of(), supply)
    result = solve_equilibrium(built.problem, gap=1e-10, max_iter=5000)
    assert result.converged
    assert result.algorithm == "gp"
    assert check_paths(built.problem, result, enumerate_paths=False) > built.problem.num_pairs


def test_port_inspection_is_keyed_by_port_name_before_field_office(world) -> None:
    dataset, tnet, params = world
    policy = policy_of(Levers(port_inspection={"San Diego": 2.0, "Otay Mesa": 3.0}))
    built = build_world(tnet, dataset, params, policy, SUPPLY)
    plain = build_world(tnet, dataset, params, policy_of(), SUPPLY)
    table = tnet.node_table
    borders = np.flatnonzero(tnet.kind == "border")
    rate = params["traffic.us_port_seizure_rate.fentanyl"]
    for link in borders:
        port = tnet.crossing[link]
        name, office = table["us_port_name"].iloc[port], table["cbp_field_office"].iloc[port]
        expected = 3.0 if name == "Otay Mesa" else 2.0 if office == "San Diego" else 1.0
        assert built.port_hazard["fentanyl"][link] == pytest.approx(1.0 - (1.0 - rate) ** expected)
    others = table["cbp_field_office"].to_numpy()[tnet.crossing[borders]] != "San Diego"
    np.testing.assert_array_equal(
        built.port_hazard["fentanyl"][borders[others]],
        plain.port_hazard["fentanyl"][borders[others]],
    )
