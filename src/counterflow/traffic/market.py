"""The drug market behind the routes (DESIGN.md, "The market").

Quantities are set where the routes meet US demand, per drug and month:

* **Demand** is for *delivered* kg at the US retail price ``P_r``, linear around the calibrated
  status quo with the point elasticity ``market.demand_elasticity.<drug>`` (a magnitude):
  ``D = D0 (1 - eps (P_r - P_r0) / P_r0)``.
* **Pass-through.** A change in the border price ``P_b`` moves the retail price by
  ``m = theta + (1 - theta) P_r0 / P_b0`` dollars per dollar: ``theta = 1`` is Caulkins's (1990)
  additive rule (a dollar at the border adds a dollar at retail), ``theta = 0`` proportional
  markups; ``theta`` is ``market.pass_through_additive``.
* **The border price moves with the routes' least cost** of delivering a kg (transport, tolls,
  expected seizure losses, surcharges, production cost): ``P_b = P_b0 + v (u - u0)``, ``u`` the
  least route cost per kg in units of the border value ``v`` (the solver's units) and ``u0`` its
  status-quo value. So each origin's shippers face ``q = q0 (1 - kappa (u - u0))`` with
  ``kappa = eps m v / P_r0``, which is the elastic Beckmann program with one abstain link per
  origin: potential ``Q = q0 (1 + kappa u0)`` and abstain cost ``W(e) = e / (kappa q0)``
  (Gartner 1980). At ``eps = 0`` the quantity is fixed.
* **Replacement.** Demand is for delivered kg; a kg shipped is delivered with probability
  ``1 - L`` (``L`` the class's share seized along its routes), so traffickers ship
  ``D / (1 - L)``: the model scales each class's potential by ``(1 - L0) / (1 - L)`` until the
  loss shares agree with the flows (:func:`class_loss_shares`). Delivered kg then fall only
  through the price rise, not one for one with extra seizures.
* **Capacity.** A supply shock caps what an origin can ship at ``K``; when the cap binds the
  abstain link starts at the demand price of ``K`` (a scarcity price) instead of 0.

Limitation, by construction: each origin and organization faces the national demand curve on
its own, so a cost rise for one organization is not taken up by its rivals at the market price
(they keep their own quantities). Routes still shift between crossings within a class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from counterflow.data import Dataset

__all__ = [
    "PairMarket",
    "PriceLadder",
    "SupplyState",
    "capped_demand",
    "pass_through",
    "price_ladders",
]


@dataclass(frozen=True, slots=True)
class PriceLadder:
    """A drug's status-quo prices, USD per kg as trafficked (``prices.csv``)."""

    origin: float
    border: float
    retail: float


def price_ladders(dataset: Dataset) -> dict[str, PriceLadder]:
    """Per drug, its origin, border and retail prices (the loader checks they rise)."""
    table: dict[str, dict[str, float]] = {}
    frame = dataset.prices
    for drug, stage, price in zip(frame["drug"], frame["stage"], frame["usd_per_kg"], strict=True):
        table.setdefault(str(drug), {})[str(stage)] = float(price)
    return {
        drug: PriceLadder(
            stages["origin"], stages["border"], stages.get("retail", stages["border"])
        )
        for drug, stages in table.items()
    }


def pass_through(ladder: PriceLadder, additive_share: float) -> float:
    """Dollars of retail price per dollar of border price (module docstring)."""
    return additive_share + (1.0 - additive_share) * ladder.retail / ladder.border


@dataclass(frozen=True)
class SupplyState:
    """The state of supply in a month, beyond what the month's policy says.

    Attributes:
        precursor_effect: Share of a precursor control's first-month effect still acting
            (1 at the start, fading to ``market.precursor_floor`` with
            ``market.precursor_half_life_months`` as producers find other sources).
        strike_capacity: Share of production-zone capacity standing after strikes on supply
            chains (1: intact).
        strike_zones: The production zones struck (node ids; empty: all of them).
        replacement: Per class, the factor ``(1 - L0) / (1 - L)`` by which traffickers ship
            more to deliver what the market buys (1 when losses are as in the status quo).
    """

    precursor_effect: float = 1.0
    strike_capacity: float = 1.0
    strike_zones: frozenset[str] = frozenset()
    replacement: Mapping[Any, float] | None = None


@dataclass(frozen=True)
class PairMarket:
    """A class's status quo per pair (origin, in pair order) and its demand slope.

    Attributes:
        shipped_kg: Status-quo shipped kg per pair and month.
        least_cost: Status-quo least route cost per pair, in units of the border value.
        kappa: Relative fall of the pair's demand per unit of route cost (``eps m v / P_r0``);
            0 fixes the quantity.
        loss_share: The class's status-quo share of shipped kg seized along its routes.
    """

    shipped_kg: NDArray[np.float64]
    least_cost: NDArray[np.float64]
    kappa: float
    loss_share: float

    def scaled(self, weight: float) -> PairMarket:
        """The same market for a faction holding ``weight`` of its organization's supply."""
        return PairMarket(self.shipped_kg * weight, self.least_cost, self.kappa, self.loss_share)


def capped_demand(
    market: PairMarket, *, replacement: float, capacity_kg: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Potential kg, abstain base and abstain slope per pair (``None``: fixed quantity).

    ``replacement`` scales what must be shipped to deliver what the market buys
    (``(1 - L0) / (1 - L)``); ``capacity_kg`` caps what each origin can ship this month.
    """
    shipped = market.shipped_kg
    if market.kappa <= 0.0:
        return np.minimum(shipped * replacement, capacity_kg), None, None
    potential = replacement * shipped * (1.0 + market.kappa * market.least_cost)
    slope = 1.0 / (market.kappa * replacement * np.maximum(shipped, 1e-12))
    capped = np.minimum(potential, capacity_kg)
    return capped, slope * (potential - capped), slope
