"""World keys: what a month's equilibrium depends on, solved once and warm-started.

A month's equilibrium depends only on the strategy and on its :class:`WorldKey`: which
organizations have split and whether their ground is still contested, whether Mexico consents
to operations this month, the cooperation level (C in steps of
:data:`counterflow.diplomacy.LEVEL_STEP`) and the supply state. Each world is solved once.
A strategy's *anchor* — its world at rest: nothing split, consent given, cooperation at its
start, no supply shock (:func:`base_key`) — is warm-started from the run's status quo
equilibrium; every other world of the strategy from its anchor's routes (an organization's
routes shared out to its factions) and replacement factors. So a world's numbers never depend
on the order in which months, replications or strategies ran, and a :class:`WorldCache` can
share them between replications.

Until 2026-12 a world started from its *predecessor* (the same world one change earlier).
That chain solved, per world a month used, about one more that no month used (the removal
strategies of the built-in scenario solved 32 worlds to use 9); starting from the anchor
solves at most one extra world per strategy, and the built-in comparison runs 1.6 times
faster with no outcome moved by more than 0.005 percentage points (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.assign import AssignmentResult, PathFlows
from counterflow.diplomacy import cooperation_level, enforcement_factor
from counterflow.model.context import Context, solve_within_budget
from counterflow.orgs import Factions
from counterflow.orgs import factions_of as split_factions
from counterflow.policy import MonthPolicy, resolve_month_policy
from counterflow.scenario import Strategy
from counterflow.traffic import (
    ClassKey,
    PairMarket,
    StateFlows,
    StrategyWorld,
    SupplyState,
    border_price_shift,
    build_world,
    class_loss_shares,
    month_flows,
    pass_through,
    price_ladders,
    state_flows,
    with_replacement,
)

__all__ = [
    "SolvedWorld",
    "WorldCache",
    "WorldKey",
    "base_key",
    "build_month_policy",
    "build_month_world",
    "carry_paths",
    "factions_of",
    "solve_world",
]


class WorldKey(NamedTuple):
    """What a strategy's month's equilibrium depends on.

    ``supply`` is the month's supply state: the share of a precursor control's first effect
    still acting and the share of production-zone capacity standing after strikes on supply
    chains, each rounded to the parameter ``solver.supply_step`` (1, 1: no shock).
    """

    splits: tuple[tuple[str, bool], ...]
    consented: bool
    level: int
    supply: tuple[float, float] = (1.0, 1.0)


REPLACEMENT_ROUNDS = 4  # re-solves at most, to ship what delivers the demand (module docstring)
REPLACEMENT_GAP = 1e-4  # gap of the first solve, which only finds the loss shares to ship against
REPLACEMENT_TOL = 1e-3  # replacement factors that move less than this have settled (0.1% of kg)


@dataclass(frozen=True)
class SolvedWorld:
    """One world key's equilibrium and what it means in kg, per month."""

    world: StrategyWorld
    factions: Factions
    result: AssignmentResult
    by_drug: pd.DataFrame
    crossings: pd.DataFrame
    states: StateFlows
    warm: bool
    replacement: dict[ClassKey, float] = field(default_factory=dict)


@dataclass
class WorldCache:
    """Solved worlds of one strategy, shared by its replications (results do not depend on it)."""

    strategy: str
    worlds: dict[WorldKey, SolvedWorld] = field(default_factory=dict)


def base_key(context: Context) -> WorldKey:
    """Nothing split, consent given, cooperation at its initial level, no supply shock.

    A strategy's world at this key is its *anchor* (module docstring).
    """
    level = cooperation_level(context.parameters["diplomacy.initial_cooperation"])
    return WorldKey(splits=(), consented=True, level=level)


def _supply_and_markets(
    context: Context, factions: Factions
) -> tuple[pd.DataFrame, dict[ClassKey, PairMarket]]:
    """Supply rows and market terms of the active organizations (factions take a share)."""
    supply = context.dataset.supply
    owner = supply["org_id"].to_numpy()
    kg = supply["kg_per_month"].to_numpy(dtype=float)
    rows: list[NDArray[np.int64]] = []
    orgs: list[str] = []
    weights: list[float] = []
    markets: dict[ClassKey, PairMarket] = {}
    for org, weight in factions.weight.items():
        root = factions.root_of[org]
        own = np.flatnonzero(owner == root)
        if own.size == 0:
            continue
        rows.append(own)
        orgs.extend([org] * own.size)
        weights.extend([weight] * own.size)
        for key, market in context.markets.items():
            if key.org == root:
                markets[ClassKey(org, key.drug)] = market.scaled(weight)
    index = np.concatenate(rows)
    table = supply.iloc[index].reset_index(drop=True)
    table["org_id"] = orgs
    table["kg_per_month"] = kg[index] * np.array(weights)
    return table, markets


def build_month_policy(
    context: Context, strategy: Strategy, *, consented: bool, level: int
) -> MonthPolicy:
    """What a strategy's levers do in a month with this consent and cooperation level.

    Diplomacy turns the level into Mexico's enforcement factor and the cooperation ratio
    ``min(1, C / C0)``; :func:`counterflow.policy.resolve_month_policy` applies them and the
    consent to the levers.
    """
    road, ratio = enforcement_factor(level, context.parameters)
    return resolve_month_policy(
        strategy.levers,
        consented_this_month=consented,
        mexican_enforcement_factor=road,
        cooperation_ratio=ratio,
    )


def build_month_world(
    context: Context,
    strategy: Strategy,
    factions: Factions,
    key: WorldKey | None = None,
    *,
    replacement: dict[ClassKey, float] | None = None,
) -> StrategyWorld:
    """The assignment problem of a strategy's month with these organizations."""
    supply, markets = _supply_and_markets(context, factions)
    key = key or base_key(context)
    policy = build_month_policy(context, strategy, consented=key.consented, level=key.level)
    strikes = strategy.levers.supply_strikes
    state = SupplyState(
        precursor_effect=key.supply[0],
        strike_capacity=key.supply[1],
        strike_zones=frozenset(strikes.zones) if strikes is not None else frozenset(),
        replacement=replacement,
    )
    return build_world(
        context.network,
        context.dataset,
        context.parameters,
        policy,
        supply,
        markets=markets,
        supply_state=state,
        shares=factions.shares,
        root_of=factions.root_of,
    )


def carry_paths(
    old: StrategyWorld | None,
    old_weight: dict[str, float],
    paths: PathFlows | None,
    new: StrategyWorld,
    new_factions: Factions,
) -> PathFlows | None:
    """The old solution's routes for the new world's pairs (a faction starts from its share).

    ``None`` where there is no old solution or a new pair has no counterpart in it.
    """
    if old is None or paths is None:
        return None
    offsets = old.problem.pair_offsets
    where: dict[tuple[str, str, int], int] = {}
    for k, key in enumerate(old.classes):
        for i, origin in enumerate(old.problem.classes[k].demand.origin):
            where[(key.org, key.drug, int(origin))] = int(offsets[k]) + i
    pairs: list[int] = []
    scale: list[float] = []
    for k, key in enumerate(new.classes):
        root = new_factions.root_of.get(key.org, key.org)
        weight = new_factions.weight.get(key.org, 1.0)
        for origin in new.problem.classes[k].demand.origin:
            for source in (key.org, root):
                index = where.get((source, key.drug, int(origin)))
                if index is not None:
                    pairs.append(index)
                    scale.append(weight / old_weight.get(source, 1.0))
                    break
            else:
                return None
    return paths.take(np.array(pairs, dtype=np.int64), np.array(scale))


def factions_of(context: Context, splits: tuple[tuple[str, bool], ...]) -> Factions:
    """The organizations of a key's splits (``(root, ground still contested)`` pairs)."""
    return split_factions(context.roots, dict(splits), context.shares, context.parameters)


def normalize_key(strategy: Strategy, key: WorldKey) -> WorldKey:
    """Consent only changes the world of a strategy whose joint operations act with consent.

    Of what the flows read in a :class:`~counterflow.policy.MonthPolicy`, only the joint
    operations depend on the month's consent.
    """
    consenting = resolve_month_policy(strategy.levers, consented_this_month=True)
    if key.consented or consenting.joint_operations is None:
        return key._replace(consented=True)
    return key


def _inherited(factors: dict[ClassKey, float], key: ClassKey, factions: Factions) -> float:
    """A class's replacement factor in the anchor (its organization's for a faction)."""
    if key in factors:
        return factors[key]
    root = ClassKey(factions.root_of.get(key.org, key.org), key.drug)
    return factors.get(root, 1.0)


def _solve(
    context: Context,
    world: StrategyWorld,
    initial: PathFlows | None,
    *,
    what: str,
    gap: float,
) -> AssignmentResult:
    """The world's equilibrium to ``gap`` within the run's budget (or a one-line error)."""
    return solve_within_budget(
        world.problem, context.parameters, what=what, gap=gap, initial=initial
    )


def _what(strategy: Strategy, key: WorldKey, month: int | None) -> str:
    """``strategy 'x', month 3`` (or the world key where the month is not known)."""
    where = f"month {month}" if month is not None else f"world {tuple(key)}"
    return f"strategy {strategy.id!r}, {where}"


def _prices(context: Context, world: StrategyWorld, result: AssignmentResult) -> pd.DataFrame:
    """Per drug, the month's border and retail prices (USD per kg as trafficked)."""
    markets = {k: m for k, m in zip(world.classes, world.class_markets, strict=True) if m}
    shift = border_price_shift(world, result, markets)
    additive = context.parameters["market.pass_through_additive"]
    rows = []
    for drug, ladder in price_ladders(context.dataset).items():
        change = shift.get(drug, 0.0)
        rows.append(
            {
                "drug": drug,
                "price_border_usd_per_kg": ladder.border + change,
                "price_retail_usd_per_kg": ladder.retail + pass_through(ladder, additive) * change,
            }
        )
    return pd.DataFrame(rows)


def solve_world(
    context: Context,
    strategy: Strategy,
    key: WorldKey,
    cache: WorldCache,
    *,
    month: int | None = None,
) -> SolvedWorld:
    """The equilibrium of one world key to ``solver.gap``, warm-started from its anchor.

    ``month``: the month that asks for it, named in the error if a solve fails or runs out of
    its budget (``solver.max_iterations``, ``solver.max_seconds``).
    """
    key = normalize_key(strategy, key)
    if key in cache.worlds:
        return cache.worlds[key]
    what = _what(strategy, key, month)
    factions = factions_of(context, key.splits)
    gap = context.parameters["solver.gap"]
    world = build_month_world(context, strategy, factions, key)
    loss0 = {
        k: context.markets[ClassKey(factions.root_of.get(k.org, k.org), k.drug)].loss_share
        for k in world.classes
    }
    anchor_key = normalize_key(strategy, base_key(context))
    if key == anchor_key:  # from the status quo, every class shipping at factor 1
        factors = dict.fromkeys(world.classes, 1.0)
        initial = carry_paths(context.baseline_world, {}, context.baseline_paths, world, factions)
    else:  # from the anchor's routes and replacement factors (a faction from its parent's)
        anchor = solve_world(context, strategy, anchor_key, cache, month=month)
        factors = {k: _inherited(anchor.replacement, k, factions) for k in world.classes}
        if any(factors[k] != 1.0 for k in world.classes):
            world = with_replacement(world, factors)
        initial = carry_paths(
            anchor.world, anchor.factions.weight, anchor.result.paths, world, factions
        )
    result = _solve(context, world, initial, what=what, gap=max(REPLACEMENT_GAP, gap))
    # Replacement: ship what delivers the demand at this month's loss shares (traffic.market).
    # The first solve is coarse (it only finds the loss shares to ship against); every later
    # one is the month's equilibrium to solver.gap, and the factors are checked on it.
    final = False
    for _ in range(REPLACEMENT_ROUNDS):
        losses = class_loss_shares(world, result)
        wanted = {
            k: (1.0 - loss0[k]) / max(1.0 - float(loss), 1e-9)
            for k, loss in zip(world.classes, losses, strict=True)
        }
        if all(abs(wanted[k] - factors[k]) <= REPLACEMENT_TOL for k in world.classes):
            break
        factors = wanted
        world = with_replacement(world, factors)
        result = _solve(context, world, result.paths, what=what, gap=gap)
        final = True
    if not final:
        result = _solve(context, world, result.paths, what=what, gap=gap)
    flows = month_flows(context.network, world, result)
    prices = _prices(context, world, result)
    by_drug = flows.by_drug.merge(prices, on="drug", how="left")
    solved = SolvedWorld(
        world,
        factions,
        result,
        by_drug,
        flows.crossings,
        state_flows(context.network, world, result, factions.shares, context.states),
        initial is not None,
        factors,
    )
    cache.worlds[key] = solved
    return solved
