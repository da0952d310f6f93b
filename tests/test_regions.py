"""kg per state: every road link's kg is counted once over the states (half in each of its ends'
states when it crosses a state line, whole when it lies inside one)."""

from __future__ import annotations

import numpy as np
import pytest

from counterflow.model import prepare, simulate
from counterflow.scenario import load_scenario


def test_state_kg_add_up_to_the_road_kg_of_the_run() -> None:
    scenario = load_scenario().with_overrides(months=1, replications=1)
    context = prepare(scenario)
    network = context.network
    states = set(context.states)
    roads = network.kind == "road"
    inside = np.array(
        [a in states and b in states for a, b in zip(network.state_a, network.state_b, strict=True)]
    )
    assert (roads & inside).sum() > 0
    assert (roads & (network.state_a == network.state_b) & inside).sum() > 0  # within one state
    for strategy in scenario.strategy[:3]:
        run = simulate(context, strategy, replication=0)
        road_kg = float(run.link_kg[roads & inside].sum())
        assert float(run.regions["flow_kg"].sum()) == pytest.approx(road_kg, rel=1e-9)
        assert 0.0 <= float(run.regions["contested_flow_kg"].sum()) <= road_kg
