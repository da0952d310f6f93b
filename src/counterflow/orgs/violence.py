"""Violence: homicides per state and month (DESIGN.md, "Violence").

    H[s, t] = B[s] x max(0, 1 + C[s, t] + phi x (L[s, t] + N[s, t] + K[s]))

* ``B[s]``: the baseline, a published annual count by state / 12 (``homicides.csv``: SESNSP
  victims of *homicidio doloso*, complete; or INEGI death certificates where the state has a
  count, the other states' SESNSP counts scaled by the ratio of the two series where both
  exist).
* ``C[s, t] = violence.contested_flow_effect x max(0, CF[s, t] - CF0[s]) / (F0[s] + F_min)``:
  the rise in contested flow (kg moved through state s by organizations that do not control
  it, ``sum_k x_a^k (1 - share)``, DESIGN.md) relative to the state's baseline flow, after Dell
  (2015): violence rises along the routes traffic is diverted to and where rivals contest
  them. ``CF0``, ``F0`` are the status quo's; ``F_min`` (1% of the busiest state's flow) keeps
  states with little flow from dominating. Only rises count (assumption): less trafficking
  through a state is not taken to lower its homicides, since scarcity has been found to
  *raise* violence among the groups that stay (Castillo, Mejía & Restrepo 2020, REStat,
  cocaine shortages and violence in Mexico; not re-read here).
* ``L`` and ``N``: removals (Lindo & Padilla-Romo 2018; Calderón et al. 2015; Dickenson 2014).
  A removal of an organization in month t0 raises homicides in its core states (its control
  share >= ``orgs.core_share_threshold``) by ``violence.removal_local_effect`` x 0.5^((t -
  t0) / ``violence.removal_half_life_months``), and in the states bordering them (not core
  themselves) by ``violence.removal_neighbour_effect`` with its own half-life; a killing
  multiplies both by ``violence.killing_multiplier``.
* ``K[s] = violence.crackdown_effect x (m[s] - 1)``: crackdowns, ``m`` the strategy's
  enforcement multiplier in the state (Dell 2015).
* ``phi = violence.affected_municipal_share``: the published removal and crackdown effects are
  *municipal*; they apply to the share of a state's homicides in the affected municipalities.

With no removals, no crackdowns and the status quo's flows, H = B exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.errors import InputError
from counterflow.orgs.leadership import Removal

__all__ = [
    "SERIES",
    "HomicideBaseline",
    "Violence",
    "baseline_homicides",
    "monthly_homicides",
    "removal_effects",
]

SERIES = ("sesnsp", "inegi")
_FLOW_FLOOR = 0.01  # F_min as a share of the busiest state's baseline flow


@dataclass(frozen=True)
class HomicideBaseline:
    """Baseline homicides per month for each state, and which series each comes from."""

    states: tuple[str, ...]
    names: tuple[str, ...]
    per_month: NDArray[np.float64]
    series: tuple[str, ...]


def baseline_homicides(table: pd.DataFrame, *, series: str, year: int) -> HomicideBaseline:
    """Monthly baseline per state from ``homicides.csv`` rows (one series, one year)."""
    if series not in SERIES:
        raise InputError(f"unknown homicide series {series!r}; use one of {', '.join(SERIES)}")
    rows = table[table["year"] == year]
    sesnsp = rows[rows["series"] == "sesnsp"].set_index("state_code")
    if sesnsp.empty:
        years = sorted(set(table.loc[table["series"] == "sesnsp", "year"]))
        raise InputError(
            f"no SESNSP homicide counts for {year}; use one of {', '.join(map(str, years))}",
            key="homicide_year",
        )
    states = tuple(sorted(sesnsp.index))
    names = tuple(str(name) for name in sesnsp["state_name"].reindex(states))
    counts = sesnsp["homicides"].reindex(states).to_numpy(dtype=float)
    used = ["sesnsp"] * len(states)
    if series == "inegi":
        inegi = rows[rows["series"] == "inegi"].set_index("state_code")["homicides"]
        both = [s for s in states if s in inegi.index]
        if not both:
            raise InputError(f"no INEGI homicide counts for {year}; use series sesnsp")
        ratio = float(inegi[both].sum()) / float(sesnsp.loc[both, "homicides"].sum())
        counts = np.array(
            [
                float(inegi[s]) if s in inegi.index else c * ratio
                for s, c in zip(states, counts, strict=True)
            ]
        )
        used = ["inegi" if s in inegi.index else "sesnsp-scaled" for s in states]
    return HomicideBaseline(states, names, counts / 12.0, tuple(used))


def _decay(months: int, start: int, half_life: float) -> NDArray[np.float64]:
    """0 before month ``start`` (1-based), then 0.5^((t - start) / half_life)."""
    t = np.arange(1, months + 1, dtype=float)
    out: NDArray[np.float64] = np.where(t >= start, 0.5 ** ((t - start) / half_life), 0.0)
    return out


def removal_effects(
    removals: Sequence[Removal],
    *,
    states: Sequence[str],
    core: dict[str, tuple[str, ...]],
    neighbours: dict[str, tuple[str, ...]],
    months: int,
    params: dict[str, float],
) -> NDArray[np.float64]:
    """Relative rise in affected municipalities, shape (months, states): ``L + N``."""
    index = {s: i for i, s in enumerate(states)}
    out = np.zeros((months, len(states)))
    local = params["violence.removal_local_effect"]
    near = params["violence.removal_neighbour_effect"]
    for removal in removals:
        scale = params["violence.killing_multiplier"] if removal.killed else 1.0
        home = set(core.get(removal.root, ()))
        bordering = {n for s in home for n in neighbours.get(s, ())} - home
        local_curve = (
            scale
            * local
            * _decay(months, removal.month, params["violence.removal_half_life_months"])
        )
        near_curve = (
            scale
            * near
            * _decay(months, removal.month, params["violence.neighbour_half_life_months"])
        )
        for state in home:
            if state in index:
                out[:, index[state]] += local_curve
        for state in bordering:
            if state in index:
                out[:, index[state]] += near_curve
    return out


@dataclass(frozen=True)
class Violence:
    """Homicides per (month, state) and the parts they come from (all shape (months, states))."""

    homicides: NDArray[np.float64]
    contested: NDArray[np.float64]
    municipal: NDArray[np.float64]


def monthly_homicides(
    baseline: HomicideBaseline,
    *,
    flow0: NDArray[np.float64],
    contested0: NDArray[np.float64],
    contested: NDArray[np.float64],
    removals: NDArray[np.float64],
    crackdown: NDArray[np.float64],
    params: dict[str, float],
) -> Violence:
    """Homicides per month and state (see the module docstring for the equation).

    Args:
        baseline: B per state.
        flow0: The status quo's kg per state (shape (states,)).
        contested0: The status quo's contested kg per state.
        contested: This run's contested kg per (month, state).
        removals: :func:`removal_effects`.
        crackdown: Enforcement multiplier per state (1 = none).
        params: Resolved parameters.
    """
    floor = _FLOW_FLOOR * float(flow0.max()) if flow0.size and flow0.max() > 0 else 1.0
    contested_part = (
        params["violence.contested_flow_effect"]
        * np.maximum(contested - contested0, 0.0)
        / (flow0 + floor)
    )
    crackdown_part = params["violence.crackdown_effect"] * np.maximum(crackdown - 1.0, 0.0)
    municipal = params["violence.affected_municipal_share"] * (removals + crackdown_part)
    factor = np.maximum(0.0, 1.0 + contested_part + municipal)
    return Violence(baseline.per_month * factor, contested_part, municipal)
