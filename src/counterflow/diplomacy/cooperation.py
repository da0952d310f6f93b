"""The cooperation index C (DESIGN.md, "Diplomacy").

C in [0, 1] is how far Mexico cooperates with the United States: joint operations, intelligence
sharing, transfers of detainees and Mexican enforcement against the organizations. It starts at
``diplomacy.initial_cooperation`` and moves month by month:

1. **Gate.** Operations that need Mexico's consent (joint operations; captures and strikes
   under ``consent = true``) happen in a month only while C, as the month starts, is at least
   ``diplomacy.consent_threshold``; below it they pause.
2. **Shock.** An action on Mexican territory without consent (``consent = false``: each
   strike, each capture raid, and ISR flights in any month with ``isr_coverage > 0``) is a
   shock whose severity grows with what happened and with repetition::

       S = strikes x s_strike + raids x s_raid + civilian deaths x s_civilian + s_overflight
       C <- C x exp(-S x (1 + rho x earlier months with unilateral action))

   Analogues (FACTS.md 7): after a US helicopter strike killed 2 Pakistani soldiers (30 Sept
   2010) Pakistan closed the Torkham crossing for 11 days; after the Salala strike killed 24
   (26 Nov 2011) it closed the NATO supply lines for about 7 months; the arrest of a former
   Mexican defence minister in Los Angeles (Oct 2020) froze information sharing and led Mexico
   to curb foreign agents within two months. A larger incident cuts deeper and takes longer to
   undo; unilateral strikes on Mexican territory would be graver than any of these (the 2025
   reform of Art. 40 names them).
3. **Joint work.** A month of consented joint operations raises C by
   ``diplomacy.joint_work_gain x intensity x (1 - C)`` (the 2025 transfers, troop deployments
   and joint groups followed cooperation, not incidents: FACTS.md 7.3-7.4).
4. **Recovery.** C returns towards its initial level with half-life
   ``diplomacy.recovery_half_life_months`` (uncertain: 11 days to 7 months in the analogues).

C feeds back through what it gates and scales: joint operations pause below the threshold;
Mexican enforcement on the roads is multiplied by ``1 + diplomacy.enforcement_elasticity x
(C - C0)`` and precursor inspection (done by Mexico at its ports) by ``min(1, C / C0)``; the
intelligence shared for consented removals scales their success by ``min(1, C / C0)``. To keep
a month's equilibrium cacheable, the flow model sees C rounded to steps of
:data:`LEVEL_STEP`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LEVEL_STEP",
    "Cooperation",
    "MonthActions",
    "advance_cooperation",
    "cooperation_level",
    "enforcement_factor",
    "operations_allowed",
]

LEVEL_STEP = 0.1  # the flow model sees C in steps of this (its effects move ~5% per step)


@dataclass(frozen=True, slots=True)
class MonthActions:
    """What a strategy did on Mexican territory in one month."""

    strikes: float = 0.0
    raids: int = 0
    civilian_deaths: float = 0.0
    overflights: bool = False
    consented: bool = False
    joint_intensity: float = 0.0

    @property
    def unilateral(self) -> bool:
        """Whether anything happened on Mexican territory without consent."""
        return not self.consented and (self.strikes > 0 or self.raids > 0 or self.overflights)


@dataclass(frozen=True)
class Cooperation:
    """C at the end of each month and the consent gate at the start of each."""

    index: NDArray[np.float64]
    allowed: NDArray[np.bool_]

    @property
    def end(self) -> float:
        """C at the end of the last month."""
        return float(self.index[-1])

    @property
    def minimum(self) -> float:
        """The lowest C over the horizon."""
        return float(self.index.min())


def operations_allowed(index: float, params: dict[str, float]) -> bool:
    """Whether Mexico consents to operations on its territory at this C."""
    return index >= params["diplomacy.consent_threshold"]


def advance_cooperation(
    index: float, actions: MonthActions, earlier_unilateral: int, params: dict[str, float]
) -> float:
    """C at the end of a month that started at ``index`` (see the module docstring)."""
    if actions.unilateral:
        severity = (
            actions.strikes * params["diplomacy.shock_per_strike"]
            + actions.raids * params["diplomacy.shock_per_raid"]
            + actions.civilian_deaths * params["diplomacy.shock_per_civilian_death"]
            + (params["diplomacy.shock_per_overflight_month"] if actions.overflights else 0.0)
        )
        repeated = 1.0 + params["diplomacy.repetition_factor"] * earlier_unilateral
        index *= math.exp(-severity * repeated)
    if actions.consented and actions.joint_intensity > 0:
        gain = params["diplomacy.joint_work_gain"] * actions.joint_intensity
        index += min(gain, 1.0) * (1.0 - index)
    base = params["diplomacy.initial_cooperation"]
    pull = 1.0 - 0.5 ** (1.0 / params["diplomacy.recovery_half_life_months"])
    index += (base - index) * pull
    return float(min(max(index, 0.0), 1.0))


def cooperation_level(index: float) -> int:
    """C rounded to a step of :data:`LEVEL_STEP` (an integer: the level number)."""
    return round(index / LEVEL_STEP)


def enforcement_factor(level: int, params: dict[str, float]) -> tuple[float, float]:
    """``(road, share)``: the factor of Mexican road enforcement, and ``min(1, C / C0)``.

    ``share`` scales precursor inspection, the intelligence shared for consented removals and
    detainee transfers. Both are measured from the level of the initial C, so a strategy whose
    C never moves sees exactly 1.
    """
    base = cooperation_level(params["diplomacy.initial_cooperation"])
    elasticity = params["diplomacy.enforcement_elasticity"]
    road = max(0.0, 1.0 + elasticity * (level - base) * LEVEL_STEP)
    share = min(1.0, level / base) if base > 0 else 1.0
    return road, share
