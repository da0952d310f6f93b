"""Month worlds: solved from their anchor, so independent of what ran before; the supply step."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from counterflow.model import prepare, simulate
from counterflow.model.worlds import WorldCache, normalize_key, solve_world
from counterflow.scenario import builtin_scenario_path, load_scenario


def builtin(strategy: str, **changes: object):  # type: ignore[no-untyped-def]
    base = load_scenario(builtin_scenario_path())
    kept = [s for s in base.strategy if s.id in ("status-quo", strategy)]
    return base.with_overrides(strategy=kept, replications=1, **changes)


def test_a_world_is_the_same_whatever_was_solved_before() -> None:
    """Every world starts from its strategy's anchor: a cache's history changes nothing."""
    context = prepare(builtin("unilateral-drone-strikes", months=8))
    strategy = context.scenario.get_strategy("unilateral-drone-strikes")
    cache = WorldCache(strategy.id)
    run = simulate(context, strategy, future=2, cache=cache)
    keys = list(dict.fromkeys(normalize_key(strategy, k) for k in run.world_keys))
    assert len(keys) >= 3  # removals, splits and a falling cooperation make several worlds
    for key in keys[1:]:
        alone = solve_world(context, strategy, key, WorldCache(strategy.id))
        after = cache.worlds[key]
        np.testing.assert_array_equal(alone.result.flows.link, after.result.flows.link)
        assert alone.replacement == after.replacement
    assert len(cache.worlds) <= len(keys) + 1  # at most the anchor is solved only to start others


@pytest.mark.parametrize("step", [1e-3, 1e-2])
def test_the_supply_step_sets_which_months_share_a_world(step: float) -> None:
    parameters = {
        "solver.supply_step": step,
        "market.precursor_half_life_months": 60.0,
        "market.precursor_floor": 0.5,
    }
    context = prepare(builtin("precursor-controls", months=24, parameters=parameters))
    strategy = context.scenario.get_strategy("precursor-controls")
    run = simulate(context, strategy)
    effects = [key.supply[0] for key in run.world_keys]
    assert effects[0] == 1.0
    assert all(a >= b for a, b in itertools.pairwise(effects))  # the effect fades
    assert all(abs(e / step - round(e / step)) < 1e-6 for e in effects)  # on the step's grid
    distinct = len(set(effects))
    # Half of the effect fading with a half-life of 5 years: 0.4-0.6% of the first effect a
    # month, 12% in all: every month is a world of its own at a step of 0.1%, about every second one at 1%.
    assert distinct == 24 if step == 1e-3 else 10 <= distinct <= 16
