"""Cooperation with Mexico: shocks, recovery, consent gating and feedback into flows."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterflow.diplomacy import MonthActions, advance_cooperation
from counterflow.model import prepare, simulate
from counterflow.scenario import BASELINE_ID, builtin_scenario_path, parse_scenario
from counterflow.scenario.parameters import resolve_parameters

NO_SHOCKS = {
    "diplomacy.shock_per_strike": 0.0,
    "diplomacy.shock_per_raid": 0.0,
    "diplomacy.shock_per_civilian_death": 0.0,
    "diplomacy.shock_per_overflight_month": 0.0,
}


def scenario_with(strategies: list[str], parameters: dict[str, float], **top: Any):
    data = tomllib.loads(builtin_scenario_path().read_text())
    data["strategy"] = [s for s in data["strategy"] if s["id"] in (BASELINE_ID, *strategies)]
    data["parameters"] = parameters
    data.update(top)
    return parse_scenario(data)


def test_a_strike_lowers_cooperation_which_recovers_with_its_half_life() -> None:
    params = resolve_parameters({})
    start = params["diplomacy.initial_cooperation"]
    half_life = params["diplomacy.recovery_half_life_months"]
    after = advance_cooperation(start, MonthActions(strikes=1, consented=False), 0, params)
    assert after < 0.8 * start
    path = [after]
    for _ in range(int(2 * half_life)):
        path.append(advance_cooperation(path[-1], MonthActions(), 0, params))
    gaps = start - np.array(path)
    h = int(half_life)
    assert gaps[h] / gaps[0] == pytest.approx(0.5, rel=1e-12)
    assert gaps[2 * h] / gaps[0] == pytest.approx(0.25, rel=1e-12)
    # Graver incidents cut deeper: more strikes, civilian deaths, repetition.
    worse = advance_cooperation(start, MonthActions(strikes=3, consented=False), 0, params)
    deadly = advance_cooperation(
        start, MonthActions(strikes=1, civilian_deaths=10.0, consented=False), 0, params
    )
    repeated = advance_cooperation(start, MonthActions(strikes=1, consented=False), 5, params)
    assert worse < after
    assert deadly < after
    assert repeated < after


def test_strikes_in_a_run_drop_cooperation_then_it_recovers() -> None:
    scenario = scenario_with(["unilateral-drone-strikes"], {}, months=24)
    data = scenario.model_dump()
    strategy = data["strategy"][1]
    strategy["levers"]["isr_coverage"] = 0.0  # no overflights: shocks come from strikes only
    strategy["levers"]["leadership_removal"]["intensity"] = 0.02
    context = prepare(parse_scenario(data))
    plan = context.scenario.get_strategy("unilateral-drone-strikes")
    for replication in range(300):
        run = simulate(context, plan, replication=replication)
        if run.strikes == 1:
            break
    else:
        raise AssertionError("no replication with a single strike")
    c = run.cooperation
    start = context.parameters["diplomacy.initial_cooperation"]
    month = int(np.flatnonzero(c < start - 1e-9)[0])
    assert c[month] < 0.8 * start
    half_life = context.parameters["diplomacy.recovery_half_life_months"]
    h = int(half_life)
    if month + h < len(c):
        assert (start - c[month + h]) / (start - c[month]) == pytest.approx(0.5, rel=1e-9)
    baseline = simulate(context, context.scenario.get_strategy(BASELINE_ID), replication=0)
    assert np.all(baseline.cooperation == start)


def test_consent_gates_joint_operations() -> None:
    strategies = ["cooperative-interdiction", "joint-capture-with-consent"]
    frozen = prepare(scenario_with(strategies, {"diplomacy.initial_cooperation": 0.3}, months=6))
    open_ = prepare(scenario_with(strategies, {}, months=6))

    def delivered(context, strategy_id: str) -> float:
        run = simulate(context, context.scenario.get_strategy(strategy_id), replication=0)
        return float(run.by_drug["delivered_kg"].sum())

    # Below the threshold Mexico withholds consent: joint operations and captures pause.
    assert delivered(frozen, "cooperative-interdiction") == pytest.approx(
        delivered(frozen, BASELINE_ID),
        rel=1e-4,  # the same policy, solved to gap 1e-6 with replacement settled to 1e-3
    )
    assert delivered(open_, "cooperative-interdiction") < delivered(open_, BASELINE_ID)
    paused = simulate(frozen, frozen.scenario.get_strategy("cooperative-interdiction"))
    assert paused.paused_months == 6
    captures = [
        simulate(frozen, frozen.scenario.get_strategy("joint-capture-with-consent"), replication=r)
        for r in range(5)
    ]
    assert all(not run.removals for run in captures)
    # Consented joint work raises cooperation.
    working = simulate(open_, open_.scenario.get_strategy("cooperative-interdiction"))
    assert working.paused_months == 0
    assert working.cooperation[-1] > open_.parameters["diplomacy.initial_cooperation"]


def test_lost_cooperation_weakens_mexican_enforcement() -> None:
    shocked = prepare(scenario_with(["unilateral-drone-strikes"], {}, months=12))
    calm = prepare(scenario_with(["unilateral-drone-strikes"], NO_SHOCKS, months=12))

    def run(context):
        return simulate(context, context.scenario.get_strategy("unilateral-drone-strikes"))

    hit, spared = run(shocked), run(calm)
    assert hit.removals == spared.removals  # same draws; only cooperation differs
    assert hit.cooperation.min() < shocked.parameters["diplomacy.consent_threshold"]
    assert np.all(
        spared.cooperation == pytest.approx(calm.parameters["diplomacy.initial_cooperation"])
    )
    seized_hit = hit.by_drug["seized_kg_mexico"].sum()
    seized_spared = spared.by_drug["seized_kg_mexico"].sum()
    assert seized_hit < seized_spared
    assert math.isfinite(hit.detainee_transfers)
    assert hit.detainee_transfers < spared.detainee_transfers


@settings(max_examples=200, deadline=None)
@given(
    index=st.floats(0.0, 1.0),
    strikes=st.integers(0, 20),
    raids=st.integers(0, 20),
    deaths=st.floats(0.0, 500.0),
    earlier=st.integers(0, 50),
    joint=st.floats(0.0, 5.0),
)
def test_cooperation_stays_in_bounds_and_worse_incidents_cut_deeper(
    index: float, strikes: int, raids: int, deaths: float, earlier: int, joint: float
) -> None:
    params = resolve_parameters({})
    unilateral = MonthActions(strikes=strikes, raids=raids, civilian_deaths=deaths, consented=False)
    after = advance_cooperation(index, unilateral, earlier, params)
    assert 0.0 <= after <= 1.0
    graver = MonthActions(strikes=strikes + 1, raids=raids, civilian_deaths=deaths, consented=False)
    assert advance_cooperation(index, graver, earlier, params) <= after
    assert advance_cooperation(index, unilateral, earlier + 1, params) <= after
    working = MonthActions(consented=True, joint_intensity=joint)
    assert advance_cooperation(index, working, 0, params) >= advance_cooperation(
        index, MonthActions(consented=True), 0, params
    )
