"""Organizations in time: emergent behaviour of removals, splits, violence and civilian harm.

These tests run the whole monthly model on the built-in network and look at what comes out
(homicides per state and month, contested flow, splits), not at parameters against their own
bounds.
"""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pandas as pd
import pytest

from counterflow.data import load_dataset
from counterflow.model import Context, RunResult, WorldCache, prepare, simulate
from counterflow.model.outcomes import outcome_rows, summarize
from counterflow.orgs import OrgState, baseline_homicides, faction_ids
from counterflow.scenario import BASELINE_ID, builtin_scenario_path, parse_scenario

NO_SPLITS = {"orgs.fragmentation_after_capture": 0.0, "orgs.fragmentation_after_killing": 0.0}


def scenario_with(strategies: list[dict[str, Any]], parameters: dict[str, float], **top: Any):
    data = tomllib.loads(builtin_scenario_path().read_text())
    data["strategy"] = [{"id": BASELINE_ID, "label": "Status quo"}, *strategies]
    data["parameters"] = parameters
    data.update(top)
    return parse_scenario(data)


def removal(method: str, intensity: float, **levers: Any) -> dict[str, Any]:
    return {
        "id": f"{method}-{intensity}".replace(".", "-"),
        "label": method,
        "levers": {
            "consent": True,
            "isr_coverage": 1.0,
            "leadership_removal": {"method": method, "intensity": intensity},
            **levers,
        },
    }


def run(context: Context, strategy_id: str, replication: int) -> RunResult:
    return simulate(context, context.scenario.get_strategy(strategy_id), replication=replication)


def homicide_matrix(result: RunResult) -> pd.DataFrame:
    return result.regions.pivot_table(index="month", columns="state_code", values="homicides")


def first_single_removal(context: Context, strategy_id: str, latest_month: int) -> RunResult:
    """The first replication with exactly one removal, early in the horizon."""
    for replication in range(400):
        result = run(context, strategy_id, replication)
        if len(result.removals) == 1 and result.removals[0].month <= latest_month:
            return result
    raise AssertionError("no replication with a single early removal")


@pytest.fixture(scope="module")
def rare_captures() -> Context:
    scenario = scenario_with(
        [removal("capture", 0.05), removal("strike", 0.05)],
        {**NO_SPLITS, "orgs.removal_success_strike": 0.3},
    )
    return prepare(scenario)


def test_a_removal_raises_homicides_in_the_core_then_fades(rare_captures: Context) -> None:
    context = rare_captures
    result = first_single_removal(context, "capture-0-05", latest_month=6)
    event = result.removals[0]
    base = homicide_matrix(run(context, BASELINE_ID, result.replication))
    rise = homicide_matrix(result) / base - 1.0
    core = set(context.core[event.root])
    near = {n for s in core for n in context.dataset.neighbours[s]} - core
    others = [s for s in rise.columns if s not in core | near]
    peak_core = max(rise.loc[event.month, s] for s in core)
    assert peak_core > 0.01
    # Before the removal nothing moves; a year later the rise has faded below a tenth.
    assert (rise.loc[: event.month - 1].abs().to_numpy() < 1e-12).all()
    assert max(rise.loc[event.month + 12, s] for s in core) < 0.1 * peak_core
    # Neighbouring states rise, less than the core; the rest of Mexico does not move.
    peak_near = max(rise.loc[event.month, s] for s in near)
    assert 0.0 < peak_near < peak_core
    assert np.abs(rise[others].to_numpy()).max() < 1e-12


def test_killing_raises_homicides_more_than_capture(rare_captures: Context) -> None:
    context = rare_captures
    capture = first_single_removal(context, "capture-0-05", latest_month=12)
    # Same draws (common random numbers) and, here, the same success rate: the same event.
    strike = run(context, "strike-0-05", capture.replication)
    assert [(r.month, r.root) for r in strike.removals] == [
        (r.month, r.root) for r in capture.removals
    ]
    base = run(context, BASELINE_ID, capture.replication).regions["homicides"].sum()
    excess_capture = capture.regions["homicides"].sum() - base
    excess_strike = strike.regions["homicides"].sum() - base
    assert excess_strike > excess_capture > 0.0
    assert capture.civilian_harm == 0.0
    assert strike.civilian_harm > 0.0
    assert strike.strikes >= 1


def test_fragmentation_raises_contested_flow_and_homicides() -> None:
    strategy = removal("capture", 0.3)
    whole = prepare(scenario_with([strategy], NO_SPLITS, months=12))
    split = prepare(scenario_with([strategy], {"orgs.fragmentation_after_capture": 1.0}, months=12))
    for replication in range(50):
        kept = run(whole, strategy["id"], replication)
        broken = run(split, strategy["id"], replication)
        if kept.removals:
            break
    assert kept.fragmentation_events == 0
    assert broken.fragmentation_events >= 1
    assert [(r.month, r.org) for r in broken.removals][:1] == [
        (r.month, r.org) for r in kept.removals
    ][:1]
    first = broken.removals[0]
    later = broken.regions[broken.regions["month"] >= first.month]
    same = kept.regions[kept.regions["month"] >= first.month]
    assert later["contested_flow_kg"].sum() > same["contested_flow_kg"].sum()
    assert later["homicides"].sum() > same["homicides"].sum()
    # The split organization's factions carry its flows.
    assert any(key.org in faction_ids(first.root) for key in _classes(split, broken))


def _classes(context: Context, result: RunResult) -> list[Any]:
    cache = WorldCache(result.strategy)
    simulate(
        context,
        context.scenario.get_strategy(result.strategy),
        replication=result.replication,
        cache=cache,
    )
    return [key for world in cache.worlds.values() for key in world.world.classes]


def _summaries(runs: dict) -> dict:
    return {strategy: [summarize(run) for run in replicas] for strategy, replicas in runs.items()}


def test_no_removals_and_no_crackdowns_no_excess() -> None:
    quiet = {
        "id": "watch-only",
        "label": "ISR flights with consent, no action",
        "levers": {
            "consent": True,
            "isr_coverage": 0.8,
            "leadership_removal": {"method": "strike", "intensity": 0.0},
        },
    }
    surge = {
        "id": "surge",
        "label": "Border surge",
        "levers": {"port_inspection": {"Tucson": 2.0}},
    }
    context = prepare(scenario_with([quiet, surge], {}, months=6, replications=3))
    runs = {s: [run(context, s, r) for r in range(3)] for s in (BASELINE_ID, "watch-only", "surge")}
    for a, b in zip(runs["watch-only"], runs[BASELINE_ID], strict=True):
        pd.testing.assert_frame_equal(a.regions, b.regions)
    rows = {row["strategy"]: row for row in outcome_rows(context.scenario, _summaries(runs))}
    assert rows["watch-only"]["excess_homicides"] == 0.0
    assert rows["watch-only"]["civilian_harm"] == 0.0
    # Diversion can only add contest along the new routes (Dell 2015), never remove violence.
    assert rows["surge"]["excess_homicides"] >= 0.0


def test_same_seed_same_rows_and_order_does_not_matter() -> None:
    strategy = removal("strike", 0.5, consent=False)
    context = prepare(scenario_with([strategy], {}, months=12))
    shared = WorldCache(strategy["id"])
    plan = context.scenario.get_strategy(strategy["id"])
    in_order = [simulate(context, plan, replication=r, cache=shared) for r in range(4)]
    alone = simulate(context, plan, replication=3)
    again = simulate(context, plan, replication=3)
    for table in ("regions", "crossings", "by_drug"):
        pd.testing.assert_frame_equal(getattr(alone, table), getattr(in_order[3], table))
        pd.testing.assert_frame_equal(getattr(alone, table), getattr(again, table))
    assert alone.removals == in_order[3].removals
    assert len({tuple(r.removals) for r in in_order}) > 1  # replications differ


def test_common_random_numbers_pair_strategies() -> None:
    strikes = removal("strike", 0.5, consent=False)
    twin = {**strikes, "id": "strikes-twin", "label": "the same levers under another name"}
    context = prepare(scenario_with([strikes, twin], {}, months=8, replications=4))
    runs = {
        s.id: [simulate(context, s, replication=r) for r in range(4)]
        for s in context.scenario.strategy
    }
    rows = {row["strategy"]: row for row in outcome_rows(context.scenario, _summaries(runs))}
    base = rows[BASELINE_ID]
    assert base["excess_homicides"] == base["excess_homicides_p05"] == 0.0
    assert base["excess_homicides_p95"] == 0.0
    for key in ("excess_homicides", "civilian_harm", "fragmentation_events", "delivered_kg"):
        assert rows[strikes["id"]][key] == rows["strikes-twin"][key]
        assert rows[strikes["id"]][f"{key}_p95"] == rows["strikes-twin"][f"{key}_p95"]
    assert rows[strikes["id"]]["excess_homicides"] > 0.0


def test_factions_split_and_settle_the_parent_share() -> None:
    shares = {"sinaloa": {"SIN": 0.6, "SON": 0.3}, "cjng": {"JAL": 0.6}}
    params = {"orgs.faction_share": 0.4, "orgs.contested_share": 0.5, "orgs.contest_months": 3}
    state = OrgState(("cjng", "sinaloa")).split("sinaloa", 2)
    fighting = state.factions(4, shares, params)
    settled = state.factions(5, shares, params)
    a, b = faction_ids("sinaloa")
    assert fighting.key == (("sinaloa", True),)
    assert settled.key == (("sinaloa", False),)
    assert fighting.shares[a]["SIN"] + fighting.shares[b]["SIN"] == pytest.approx(0.3)
    # Settled, the pair holds the parent's ground again: each routes through it as the parent.
    assert settled.shares[a] == settled.shares[b] == shares["sinaloa"]
    assert fighting.weight == {"cjng": 1.0, a: 0.4, b: pytest.approx(0.6)}
    assert state.split("sinaloa", 7) is state  # a faction does not split again


def test_contested_flow_falls_back_once_the_factions_settle() -> None:
    months = {"orgs.contest_months": 3}
    context = prepare(scenario_with([removal("capture", 0.0, consent=True)], months, months=8))
    none = context.scenario.strategy[1]
    quiet = simulate(context, none, replication=0)
    state = OrgState(context.roots).split("sinaloa", 2)
    from counterflow.model.worlds import WorldCache, WorldKey, solve_world

    cache = WorldCache(none.id)
    level = quiet.world_keys[0].level
    contested = {}
    for month in (3, 6):
        factions = state.factions(month, context.shares, context.parameters)
        key = WorldKey(factions.key, True, level)
        contested[month] = solve_world(context, none, key, cache).states.contested_kg.sum()
    base = context.baseline_states.contested_kg.sum()
    assert contested[3] > 1.05 * base  # fighting: more of the flow is contested
    assert contested[6] == pytest.approx(base, rel=1e-3)  # settled: back to before the split


def test_inegi_baseline_fills_missing_states_from_sesnsp() -> None:
    table = load_dataset().homicides
    sesnsp = baseline_homicides(table, series="sesnsp", year=2024)
    inegi = baseline_homicides(table, series="inegi", year=2024)
    assert sesnsp.per_month.sum() * 12 == pytest.approx(30_046)
    i = inegi.states.index("GUA")
    assert inegi.series[i] == "inegi"
    assert inegi.per_month[i] * 12 == pytest.approx(4035)
    j = inegi.states.index("ZAC")
    assert inegi.series[j] == "sesnsp-scaled"
    assert inegi.per_month[j] > sesnsp.per_month[j]


@pytest.mark.parametrize("mean", [0.01, 0.3, 1.0, 2.5, 7.0, 29.0, 40.0])
def test_poisson_quantile_matches_scipy(mean) -> None:
    from scipy.stats import poisson

    from counterflow.orgs.leadership import poisson_quantile

    rng = np.random.default_rng(7)
    uniforms = np.concatenate([rng.random(2000), [1e-12, 0.5, 1.0 - 1e-12]])
    for u in uniforms:
        assert poisson_quantile(float(u), mean) == int(poisson.ppf(u, mean)), u
    assert poisson_quantile(0.0, mean) == 0  # scipy says -1 attempts there
