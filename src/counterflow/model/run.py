"""One strategy's run through the months of one replication (DESIGN.md, "Dynamics").

Each month: the cooperation index decides whether Mexico consents to operations (and how much
it enforces and shares); leadership removals are drawn per organization (common random
numbers); a removal may split an organization into factions that contest its ground; the month's
world is solved (:mod:`counterflow.model.worlds`); violence, civilian harm and cooperation
follow. Unilateral action on Mexican territory shocks cooperation; consented joint work raises
it (:mod:`counterflow.diplomacy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.diplomacy import (
    MonthActions,
    advance_cooperation,
    cooperation_level,
    enforcement_factor,
    operations_allowed,
)
from counterflow.model.context import Context
from counterflow.model.worlds import (
    SolvedWorld,
    WorldCache,
    WorldKey,
    build_month_policy,
    normalize_key,
    solve_world,
)
from counterflow.orgs import (
    OrgState,
    Removal,
    RemovalDraws,
    civilian_deaths,
    draw_removals,
    monthly_homicides,
    removal_effects,
    removal_probability,
)
from counterflow.policy import SupplyStrikesAct
from counterflow.scenario import Strategy
from counterflow.traffic import enforcement_by_state

__all__ = ["RunResult", "simulate"]


@dataclass(frozen=True)
class RunResult:
    """One strategy's run in one replication.

    ``by_drug`` and ``crossings`` carry a ``month`` column (1-based); ``regions`` has per month
    and state ``homicides``, ``flow_kg`` and ``contested_flow_kg`` (empty when the dataset has
    no homicide counts); ``cooperation`` is C at the end of each month; ``world_keys`` what
    each month's equilibrium depended on; ``link_kg`` is the first month's flow per link (kg),
    for maps.
    """

    strategy: str
    by_drug: pd.DataFrame
    crossings: pd.DataFrame
    link_kg: NDArray[np.float64]
    relative_gap: float
    replication: int = 0
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    removals: tuple[Removal, ...] = ()
    strikes: float = 0.0
    civilian_harm: float = 0.0
    cooperation: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    paused_months: int = 0  # months whose consented operations paused (C below threshold)
    detainee_transfers: float = 0.0
    world_keys: tuple[WorldKey, ...] = ()

    @property
    def fragmentation_events(self) -> int:
        """Organizations split over the horizon."""
        return sum(1 for removal in self.removals if removal.fragmented)


class _SupplyPath:
    """The supply state month by month: a precursor control's fading effect, capacity struck.

    A precursor control's effect is whole in month 1 and fades to ``market.precursor_floor``
    with ``market.precursor_half_life_months`` as producers find other sources (Dobkin &
    Nicosia 2009; McKetin et al. 2011). Strikes on supply chains destroy a share of the
    standing production-zone capacity in each month they go ahead; what was destroyed is
    rebuilt with ``market.supply_strike_rebuild_half_life_months``. Both are rounded to
    ``solver.supply_step``, so months with the same state share a world.
    """

    def __init__(self, params: dict[str, float], *, precursor: bool) -> None:
        self.precursor = precursor
        self.half_life = params["market.precursor_half_life_months"]
        self.floor = params["market.precursor_floor"]
        self.rebuilt = 0.5 ** (1.0 / params["market.supply_strike_rebuild_half_life_months"])
        self.step = params["solver.supply_step"]
        self.standing = 1.0
        self.state = (1.0, 1.0)

    def advance(self, month: int, strikes: SupplyStrikesAct | None) -> float:
        """Move to ``month`` with this month's strikes; return the strikes made."""
        effect = 1.0
        if self.precursor:
            effect = self.floor + (1.0 - self.floor) * 0.5 ** ((month - 1) / self.half_life)
            if effect - self.floor < self.step:
                effect = self.floor
        self.standing = 1.0 - (1.0 - self.standing) * self.rebuilt
        struck = 0.0
        if strikes is not None:
            self.standing *= 1.0 - strikes.capacity_share
            struck = strikes.strikes_per_month
        if 1.0 - self.standing < self.step:
            self.standing = 1.0
        self.state = (self.rounded(effect), self.rounded(self.standing))
        return struck

    def rounded(self, share: float) -> float:
        """``share`` to the nearest multiple of the supply step (to 1e-9, so keys compare)."""
        return round(round(share / self.step) * self.step, 9)


def _repeat_months(frames: list[tuple[pd.DataFrame, list[int]]]) -> pd.DataFrame:
    """Each frame repeated for its months, with a ``month`` column, sorted by month."""
    parts = []
    for frame, months in frames:
        rows = np.tile(np.arange(len(frame)), len(months))
        part = frame.iloc[rows].reset_index(drop=True)
        part.insert(0, "month", np.repeat(np.asarray(months, dtype=np.int64), len(frame)))
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values("month", kind="stable").reset_index(drop=True)


def simulate(
    context: Context,
    strategy: Strategy,
    *,
    replication: int = 0,
    future: int = 0,
    cache: WorldCache | None = None,
) -> RunResult:
    """Run one strategy over the scenario's horizon in one replication (module docstring)."""
    scenario = context.scenario
    params = context.parameters
    levers = strategy.levers
    months = scenario.months
    if cache is None or cache.strategy != strategy.id:
        cache = WorldCache(strategy.id)
    removal = levers.leadership_removal
    draws = None
    success = 0.0
    if removal is not None and removal.intensity > 0:
        draws = RemovalDraws.spawn(
            scenario.seed,
            future=future,
            replication=replication,
            num_roots=len(context.roots),
            months=months,
        )
        success = removal_probability(
            removal.method, levers.isr_coverage, consent=levers.consent, params=params
        )
    slot = {root: 3 * i for i, root in enumerate(context.roots)}
    state = OrgState(context.roots)
    removals: list[Removal] = []
    strikes = 0.0
    supply = _SupplyPath(params, precursor=levers.precursor_inspection > 0)
    paused = 0
    transfers = 0.0
    earlier_unilateral = 0
    index = params["diplomacy.initial_cooperation"]
    cooperation = np.zeros(months)
    keys: list[WorldKey] = []
    by_month: list[SolvedWorld] = []
    for month in range(1, months + 1):
        allowed = operations_allowed(index, params)
        level = cooperation_level(index)
        _, sharing = enforcement_factor(level, params)
        policy = build_month_policy(context, strategy, consented=allowed, level=level)
        paused += int(policy.paused)
        month_strikes = raids = 0
        attempted = policy.removal
        if attempted is not None and draws is not None:
            current = state.factions(month, context.shares, params)
            orgs = {}
            for org, root in current.root_of.items():
                offset = 0 if org == root else 1 + int(org.endswith("-b"))
                orgs[org] = (root, slot[root] + offset)
            events, attempts = draw_removals(
                month,
                orgs,
                draws,
                method=attempted.method,
                intensity=attempted.attempts_per_org_month,
                success=success * attempted.success_factor,
                params=params,
                can_split={org: org == root for org, root in current.root_of.items()},
            )
            if attempted.method == "strike":
                month_strikes = attempts
            else:
                raids = attempts
            for event in events:
                removals.append(event)
                if event.fragmented:
                    state = state.split(event.root, month)
        struck = supply.advance(month, policy.supply_strikes)
        month_strikes_all = month_strikes + struck
        strikes += month_strikes_all
        factions = state.factions(month, context.shares, params)
        key = normalize_key(strategy, WorldKey(factions.key, allowed, level, supply.state))
        keys.append(key)
        by_month.append(solve_world(context, strategy, key, cache, month=month))
        actions = MonthActions(
            strikes=month_strikes_all,
            raids=raids if policy.unilateral else 0,
            civilian_deaths=civilian_deaths(month_strikes_all, policy.isr_coverage, params),
            overflights=policy.overflights,
            consented=not policy.unilateral,
            joint_intensity=policy.joint_work_intensity,
        )
        transfers += params["diplomacy.transfers_per_month"] * sharing
        index = advance_cooperation(index, actions, earlier_unilateral, params)
        earlier_unilateral += int(actions.unilateral)
        cooperation[month - 1] = index

    groups: dict[int, tuple[SolvedWorld, list[int]]] = {}
    for month, solved in enumerate(by_month, start=1):
        groups.setdefault(id(solved), (solved, []))[1].append(month)
    by_drug = _repeat_months([(s.by_drug, m) for s, m in groups.values()])
    crossings = _repeat_months([(s.crossings, m) for s, m in groups.values()])
    return RunResult(
        strategy.id,
        by_drug,
        crossings,
        by_month[0].result.link_flow,
        max(s.result.relative_gap for s in by_month),
        replication=replication,
        regions=_regions(context, strategy, removals, by_month, keys),
        removals=tuple(removals),
        strikes=strikes,
        civilian_harm=civilian_deaths(strikes, levers.isr_coverage, params),
        cooperation=cooperation,
        paused_months=paused,
        detainee_transfers=transfers,
        world_keys=tuple(keys),
    )


def _regions(
    context: Context,
    strategy: Strategy,
    removals: list[Removal],
    by_month: list[SolvedWorld],
    keys: list[WorldKey],
) -> pd.DataFrame:
    """Homicides, kg and contested kg per month and state (empty without homicide data)."""
    baseline = context.homicides
    anchor = context.baseline_states
    if baseline is None or anchor is None:
        return pd.DataFrame()
    months = len(by_month)
    flow = np.stack([s.states.flow_kg for s in by_month])
    contested = np.stack([s.states.contested_kg for s in by_month])
    crackdown = np.ones((months, len(baseline.states)))
    by_key: dict[WorldKey, NDArray[np.float64]] = {}
    for m, key in enumerate(keys):
        if key not in by_key:
            policy = build_month_policy(context, strategy, consented=key.consented, level=key.level)
            multiplier = enforcement_by_state(context.dataset, context.parameters, policy)
            by_key[key] = np.array([multiplier.get(s, 1.0) for s in baseline.states])
        crackdown[m] = by_key[key]
    effects = removal_effects(
        removals,
        states=baseline.states,
        core=context.core,
        neighbours=context.dataset.neighbours,
        months=months,
        params=context.parameters,
    )
    violence = monthly_homicides(
        baseline,
        flow0=anchor.flow_kg,
        contested0=anchor.contested_kg,
        contested=contested,
        removals=effects,
        crackdown=crackdown,
        params=context.parameters,
    )
    count = len(baseline.states)
    return pd.DataFrame(
        {
            "month": np.repeat(np.arange(1, months + 1), count),
            "state_code": np.tile(baseline.states, months),
            "state_name": np.tile(baseline.names, months),
            "homicides": violence.homicides.ravel(),
            "flow_kg": flow.ravel(),
            "contested_flow_kg": contested.ravel(),
        }
    )
