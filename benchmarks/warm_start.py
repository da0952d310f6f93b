"""Warm-started monthly re-solve against a cold one, on the built-in scenario.

Usage:
    python benchmarks/warm_start.py [--runs 5] [--replications 5]

1. The monthly loop: for the first replications of unilateral-drone-strikes (24 months each),
   every month's equilibrium is solved cold (no starting routes, the solver's default
   settings) and warm (from last month's routes, each new faction starting from its share of
   its parent's, with the model's settings, as :func:`counterflow.model.simulate` would without
   its cache); the total times and their ratio are reported, for all months and for the months
   in which the world changed (a split, or factions settling).
2. The first split of each designated organization, alone: median time cold and warm.

Solver time only (building the problem is the same either way).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from counterflow.assign import AssignmentResult, PathFlows, SolverOptions, solve_equilibrium
from counterflow.model import INNER_SHARE, SOLVER_GAP, Context, WorldCache, prepare, simulate
from counterflow.model.worlds import (
    WorldKey,
    base_key,
    build_month_world,
    carry_paths,
    factions_of,
    solve_world,
)
from counterflow.orgs import Factions
from counterflow.scenario import Strategy, load_scenario
from counterflow.traffic import StrategyWorld

T = TypeVar("T")
WARM_OPTIONS = SolverOptions(inner_share=INNER_SHARE)  # the model's, as in solve_world


def monthly_loop(context: Context, strategy: Strategy, replications: int) -> None:
    """Every month of some replications solved cold and warm from the month before."""
    cold_all = warm_all = cold_changed = warm_changed = 0.0
    changed = months = 0
    for replication in range(replications):
        run = simulate(context, strategy, replication=replication)
        previous: tuple[WorldKey, StrategyWorld, Factions, PathFlows | None] | None = None
        for key in run.world_keys:
            factions = factions_of(context, key.splits)
            world = build_month_world(context, strategy, factions, key)
            old_world, old_weight, old_paths = (
                (context.baseline_world, {}, context.baseline_paths)
                if previous is None
                else (previous[1], previous[2].weight, previous[3])
            )
            start = carry_paths(old_world, old_weight, old_paths, world, factions)
            began = time.perf_counter()
            solve_equilibrium(world.problem, gap=SOLVER_GAP)
            cold = time.perf_counter() - began
            began = time.perf_counter()
            result = solve_equilibrium(
                world.problem, gap=SOLVER_GAP, initial=start, options=WARM_OPTIONS
            )
            warm = time.perf_counter() - began
            is_change = previous is not None and previous[0] != key
            cold_all, warm_all, months = cold_all + cold, warm_all + warm, months + 1
            if is_change:
                cold_changed, warm_changed = cold_changed + cold, warm_changed + warm
                changed += 1
            previous = (key, world, factions, result.paths)
    print(
        f"monthly loop, {replications} replications x {context.scenario.months} months of "
        f"{strategy.id}: cold {cold_all:.2f} s, warm {warm_all:.2f} s, ratio "
        f"{cold_all / warm_all:.1f}; the {changed} months whose world changed: cold "
        f"{cold_changed:.2f} s, warm {warm_changed:.2f} s, ratio "
        f"{cold_changed / max(warm_changed, 1e-12):.1f}"
    )


def timed(function: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median seconds of ``runs`` calls of ``function`` (at least one) and its last result."""
    times = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timings per case (median)")
    parser.add_argument("--replications", type=int, default=5, help="runs of the monthly loop")
    args = parser.parse_args()
    scenario = load_scenario()
    context = prepare(scenario)
    strategy = scenario.get_strategy("unilateral-drone-strikes")
    cache = WorldCache(strategy.id)
    before = solve_world(context, strategy, base_key(context), cache)
    solve_equilibrium(before.world.problem, gap=SOLVER_GAP)  # compile outside the timings
    monthly_loop(context, strategy, args.replications)
    print("world after the split          cold s  iters   warm s  iters  ratio")
    ratios = []
    for root in context.roots:
        key = base_key(context)._replace(splits=((root, True),))
        factions = factions_of(context, key.splits)
        world = build_month_world(context, strategy, factions, key)
        start = carry_paths(
            before.world, before.factions.weight, before.result.paths, world, factions
        )

        def solve_cold(world: StrategyWorld = world) -> AssignmentResult:
            return solve_equilibrium(world.problem, gap=SOLVER_GAP)

        def solve_warm(
            world: StrategyWorld = world, start: PathFlows | None = start
        ) -> AssignmentResult:
            return solve_equilibrium(
                world.problem, gap=SOLVER_GAP, initial=start, options=WARM_OPTIONS
            )

        cold, cold_result = timed(solve_cold, args.runs)
        warm, warm_result = timed(solve_warm, args.runs)
        ratios.append(cold / warm)
        print(
            f"{root + ' split':30s} {cold:7.4f} {cold_result.iterations:6d} "
            f"{warm:8.4f} {warm_result.iterations:6d} {cold / warm:6.1f}"
        )
    same, _ = timed(
        lambda: solve_equilibrium(
            before.world.problem, gap=SOLVER_GAP, initial=before.result.paths
        ),
        args.runs,
    )
    cold, _ = timed(lambda: solve_equilibrium(before.world.problem, gap=SOLVER_GAP), args.runs)
    print(
        f"median ratio cold/warm after a split: {statistics.median(ratios):.1f} "
        f"(min {min(ratios):.1f}); unchanged month: cold {cold:.4f} s, warm {same:.4f} s, "
        f"ratio {cold / same:.0f}"
    )


if __name__ == "__main__":
    main()
