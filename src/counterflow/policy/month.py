"""A strategy's levers, the month's consent and cooperation -> what acts that month.

The rules, all in :func:`resolve_month_policy` (DESIGN.md, "Dynamics" and "Diplomacy"):

* Enforcement multipliers (per Mexican state, per port), sanctions and ISR coverage act as the
  levers set them, every month.
* Mexican enforcement on the roads and in the states is multiplied by a factor that cooperation
  sets (:func:`counterflow.diplomacy.enforcement_factor`, passed in as a number).
* Precursor inspection is done by Mexico at its seaports, so it scales with the cooperation
  ratio ``min(1, C / C0)``.
* Operations that need consent (``consent = true``: joint operations, leadership removals,
  strikes on supply chains) go
  ahead only in months in which Mexico consents; otherwise they pause. Joint operations never
  act without consent (``consent = false`` leaves them off). Removals without consent go ahead
  whatever C is, as unilateral raids or strikes, and ISR flights become overflights.
* The intelligence Mexico shares scales the success of consented removals by the cooperation
  ratio; unilateral removals get none of it and none of its loss.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Literal

from counterflow.errors import InvalidParameterError
from counterflow.scenario import Levers

__all__ = ["JointOps", "MonthPolicy", "RemovalAttempts", "SupplyStrikesAct", "resolve_month_policy"]


@dataclass(frozen=True, slots=True)
class JointOps:
    """Joint operations with Mexico that act this month.

    Attributes:
        organizations: The designated organizations targeted (their factions included); the
            operations multiply enforcement where these are strong.
        intensity: Multiplier of ``traffic.joint_operations_effect`` (1 = the default effort).
    """

    organizations: tuple[str, ...]
    intensity: float


@dataclass(frozen=True, slots=True)
class RemovalAttempts:
    """Leadership-removal attempts that go ahead this month.

    Attributes:
        method: ``"capture"`` or ``"strike"``.
        attempts_per_org_month: Expected attempts per organization in the month (the lever's
            ``intensity``; always > 0 here).
        success_factor: Multiplier of each attempt's success probability from the intelligence
            Mexico shares: the cooperation ratio ``min(1, C / C0)`` for consented removals,
            1 for unilateral ones.
    """

    method: Literal["capture", "strike"]
    attempts_per_org_month: float
    success_factor: float


@dataclass(frozen=True, slots=True)
class SupplyStrikesAct:
    """Strikes on supply chains going ahead this month (aggregate production capacity only).

    Attributes:
        capacity_share: Share of the standing production capacity in the struck zones
            destroyed this month.
        zones: Production-zone node ids struck; empty: every production zone.
        strikes_per_month: Expected strikes this month (civilian harm and cooperation count
            them as strikes).
    """

    capacity_share: float
    zones: frozenset[str]
    strikes_per_month: float


@dataclass(frozen=True, slots=True)
class MonthPolicy:
    """What a strategy's levers do in one month: the only record the submodels read.

    Built by :func:`resolve_month_policy`; frozen, with read-only mappings, hashable and
    picklable.

    Attributes:
        state_enforcement: Per Mexican state (ISO 3166-2:MX code without ``MX-``), the levers'
            multiplier of enforcement e on its roads; a state not named has 1.
        mexican_enforcement_factor: Multiplier of Mexican enforcement everywhere (roads and
            state crackdowns) that cooperation sets; 1 at the initial cooperation level.
        port_inspection: Per CBP field office or US port name, the multiplier of e at its
            crossings (a port's own name wins over its field office); a port not named has 1.
        precursor_cut_share: Share (0..1) of the precursors arriving through Mexican seaports
            that are stopped this month: the ``precursor_inspection`` lever times the
            cooperation ratio. Traffic turns it into a cut of synthetic supply with
            ``traffic.precursor_sea_dependence``.
        sanctioned: Designated organizations under financial sanctions (their factions too).
        joint_operations: The joint operations acting this month; ``None`` when the strategy
            sets none, acts without consent, or Mexico does not consent this month.
        removal: The leadership-removal attempts going ahead this month; ``None`` when the
            strategy sets none (or intensity 0) or its consented removals pause this month.
        isr_coverage: Intelligence (ISR) coverage, 0..1: the quality of intelligence for
            removals and of targeting for strikes (no flow effect).
        unilateral: Whether the strategy acts on Mexican territory without Mexico's consent
            (its ``consent`` lever is false): its raids, strikes and overflights shock
            cooperation.
        overflights: Whether ISR flights cross Mexican territory without consent this month.
        paused: Whether the strategy's consented operations (joint operations, removal
            attempts) pause this month because Mexico does not consent.
        joint_work_intensity: Intensity of consented joint work this month (joint operations'
            intensity plus consented removal attempts per organization-month), which raises
            cooperation; 0 when paused or unilateral.
        supply_strikes: Strikes on supply chains going ahead this month; ``None`` when the
            strategy sets none or its consented strikes pause this month.
    """

    state_enforcement: Mapping[str, float]
    mexican_enforcement_factor: float
    port_inspection: Mapping[str, float]
    precursor_cut_share: float
    sanctioned: frozenset[str]
    joint_operations: JointOps | None
    removal: RemovalAttempts | None
    isr_coverage: float
    unilateral: bool
    overflights: bool
    paused: bool
    joint_work_intensity: float
    supply_strikes: SupplyStrikesAct | None = None

    def __post_init__(self) -> None:
        problems = []
        for name in ("state_enforcement", "port_inspection"):
            mapping: Mapping[str, float] = getattr(self, name)
            problems += [
                f"{name}[{key!r}] is {value!r}; give a finite multiplier > 0"
                for key, value in mapping.items()
                if not (math.isfinite(value) and value > 0)
            ]
            object.__setattr__(self, name, MappingProxyType(dict(mapping)))
        if not (
            math.isfinite(self.mexican_enforcement_factor) and self.mexican_enforcement_factor >= 0
        ):
            problems.append(
                f"mexican_enforcement_factor is {self.mexican_enforcement_factor!r}; "
                "give a finite factor >= 0"
            )
        for name in ("precursor_cut_share", "isr_coverage"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name} is {value!r}; give a share in [0, 1]")
        if problems:
            raise InvalidParameterError("; ".join(problems), key="policy")

    def __hash__(self) -> int:
        return hash(tuple(_hashable(getattr(self, f.name)) for f in fields(self)))

    def __reduce__(self) -> tuple[type[MonthPolicy], tuple[Any, ...]]:
        # A mapping proxy cannot be pickled: rebuild from plain dicts (``__post_init__`` wraps).
        values = (getattr(self, f.name) for f in fields(self))
        return type(self), tuple(dict(v) if isinstance(v, Mapping) else v for v in values)


def _hashable(value: object) -> object:
    return frozenset(value.items()) if isinstance(value, Mapping) else value


def resolve_month_policy(
    levers: Levers,
    *,
    consented_this_month: bool,
    mexican_enforcement_factor: float = 1.0,
    cooperation_ratio: float = 1.0,
) -> MonthPolicy:
    """Return what a strategy's levers do in one month (the rules: module docstring).

    Args:
        levers: The strategy's levers.
        consented_this_month: Whether Mexico consents to operations on its territory this month
            (:func:`counterflow.diplomacy.operations_allowed` at the month's C).
        mexican_enforcement_factor: Multiplier of Mexican enforcement that cooperation sets
            (the first value of :func:`counterflow.diplomacy.enforcement_factor`); 1 leaves
            enforcement as the levers set it.
        cooperation_ratio: ``min(1, C / C0)`` (the second value of
            :func:`counterflow.diplomacy.enforcement_factor`): scales precursor inspection and
            the intelligence shared for consented removals; 1 at the initial cooperation.

    Returns:
        The month's :class:`MonthPolicy`.

    Raises:
        InvalidParameterError: If a factor is negative or not finite, or the cooperation ratio
            is outside [0, 1].
    """
    if not 0.0 <= cooperation_ratio <= 1.0:
        raise InvalidParameterError(
            f"cooperation_ratio is {cooperation_ratio!r}; give min(1, C / C0), in [0, 1]",
            key="policy",
        )
    consented = levers.consent
    acting_with_consent = consented and consented_this_month
    joint = levers.joint_operations
    joint_operations = None
    if joint is not None and acting_with_consent:
        joint_operations = JointOps(tuple(joint.organizations), joint.intensity)
    lever = levers.leadership_removal
    attempts = lever is not None and lever.intensity > 0
    removal = None
    if lever is not None and attempts and (acting_with_consent or not consented):
        removal = RemovalAttempts(
            lever.method, lever.intensity, cooperation_ratio if consented else 1.0
        )
    strikes = levers.supply_strikes
    supply_strikes = None
    striking = strikes is not None and strikes.capacity_share > 0
    if strikes is not None and striking and (acting_with_consent or not consented):
        supply_strikes = SupplyStrikesAct(
            strikes.capacity_share, frozenset(strikes.zones), strikes.strikes_per_month
        )
    joint_work = 0.0
    if acting_with_consent:
        if joint is not None:
            joint_work += joint.intensity
        if lever is not None:
            joint_work += lever.intensity
    return MonthPolicy(
        state_enforcement=levers.state_enforcement,
        mexican_enforcement_factor=mexican_enforcement_factor,
        port_inspection=levers.port_inspection,
        precursor_cut_share=levers.precursor_inspection * cooperation_ratio,
        sanctioned=frozenset(levers.sanctions),
        joint_operations=joint_operations,
        removal=removal,
        isr_coverage=levers.isr_coverage,
        unilateral=not consented,
        overflights=levers.isr_coverage > 0 and not consented,
        paused=consented
        and not consented_this_month
        and (attempts or joint is not None or striking),
        joint_work_intensity=joint_work,
        supply_strikes=supply_strikes,
    )
