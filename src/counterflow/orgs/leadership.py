"""Leadership removal: synthetic events with a probability, drawn with common random numbers.

Per organization and month, the number of attempts is Poisson with mean ``intensity`` (the
``leadership_removal`` lever: expected attempts per organization-month); each attempt succeeds
with probability::

    s = base(method) x (w + (1 - w) x isr_coverage) [x unilateral_capture_factor]

``base`` is ``orgs.removal_success_capture`` or ``orgs.removal_success_strike``, ``w`` is
``orgs.success_without_isr`` (intelligence quality comes from the ``isr_coverage`` lever), and
a capture without Mexico's consent is a unilateral raid that succeeds less often. A month has a
removal when at least one attempt succeeds: ``P = 1 - (1 - s)^N``. A capture removes a leader
by arrest, a strike by killing. A removal splits the organization with probability
``orgs.fragmentation_after_capture`` or ``orgs.fragmentation_after_killing`` (Phillips 2015;
Calderón et al. 2015).

Common random numbers (DESIGN.md, "Randomness"): every organization slot has its own stream
spawned from the scenario seed by (future, replication, slot) and draws the same three
uniforms per month whatever the strategy, so strategies meet the same luck and a stronger lever
never yields fewer attempts (the attempts are the Poisson quantile of the same uniform).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import poisson

__all__ = ["Removal", "RemovalDraws", "draw_removals", "removal_probability"]

_DRAWS_PER_MONTH = 3  # attempts, success, fragmentation


@dataclass(frozen=True, slots=True)
class Removal:
    """A leadership removal: when, which organization, how, and whether it split the group."""

    month: int
    org: str
    root: str
    method: Literal["capture", "strike"]
    fragmented: bool

    @property
    def killed(self) -> bool:
        """Whether the leader was killed (strike) rather than arrested (capture)."""
        return self.method == "strike"


@dataclass(frozen=True)
class RemovalDraws:
    """Uniform draws per organization slot: ``uniforms[slot]`` has shape (months, 3).

    Slots are fixed per designated organization (``3 i`` for root ``i``, ``3 i + 1`` and
    ``3 i + 2`` for its factions), so an organization's luck does not depend on which others
    exist.
    """

    uniforms: NDArray[np.float64]

    @classmethod
    def spawn(
        cls, seed: int, *, future: int, replication: int, num_roots: int, months: int
    ) -> RemovalDraws:
        """Draw every uniform of one (future, replication) from the scenario seed."""
        slots = []
        for slot in range(3 * num_roots):
            sequence = np.random.SeedSequence(seed, spawn_key=(future, replication, slot))
            slots.append(np.random.default_rng(sequence).random((months, _DRAWS_PER_MONTH)))
        return cls(np.stack(slots))


def removal_probability(
    method: Literal["capture", "strike"],
    isr_coverage: float,
    *,
    consent: bool,
    params: dict[str, float],
) -> float:
    """Success probability of one attempt (see the module docstring)."""
    base = params[f"orgs.removal_success_{method}"]
    floor = params["orgs.success_without_isr"]
    success = base * (floor + (1.0 - floor) * isr_coverage)
    if method == "capture" and not consent:
        success *= params["orgs.unilateral_capture_factor"]
    return float(min(max(success, 0.0), 1.0))


def poisson_quantile(u: float, mean: float) -> int:
    """The smallest ``k`` with ``P(K <= k) >= u`` for ``K ~ Poisson(mean)`` (scipy's ``ppf``).

    Summed term by term for the small means of removal attempts (scipy's call costs more than
    a month's other draws); large means go to scipy.
    """
    if mean <= 0.0:
        return 0
    if mean > 30.0:
        return max(int(poisson.ppf(u, mean)), 0)
    term = math.exp(-mean)
    cdf = term
    k = 0
    while cdf < u:
        k += 1
        term *= mean / k
        if term <= cdf * 1e-17:  # u is within rounding of 1: the sum cannot grow any more
            break
        cdf += term
    return k


def draw_removals(
    month: int,
    orgs: dict[str, tuple[str, int]],
    draws: RemovalDraws,
    *,
    method: Literal["capture", "strike"],
    intensity: float,
    success: float,
    params: dict[str, float],
    can_split: dict[str, bool],
) -> tuple[list[Removal], int]:
    """Removals in ``month`` (1-based) and the number of attempts made.

    Args:
        month: The month.
        orgs: Per active organization, ``(root, slot)``.
        draws: The replication's uniforms.
        method: ``capture`` or ``strike``.
        intensity: Expected attempts per organization-month.
        success: Success probability of one attempt (:func:`removal_probability`).
        params: Resolved parameters.
        can_split: Per organization, whether a removal may split it (roots, not factions).
    """
    fragmentation = params[
        "orgs.fragmentation_after_killing"
        if method == "strike"
        else "orgs.fragmentation_after_capture"
    ]
    removals: list[Removal] = []
    total_attempts = 0
    for org, (root, slot) in orgs.items():
        u_attempts, u_success, u_split = draws.uniforms[slot, month - 1]
        attempts = poisson_quantile(u_attempts, intensity)
        total_attempts += attempts
        if attempts == 0 or u_success >= 1.0 - (1.0 - success) ** attempts:
            continue
        split = can_split.get(org, False) and u_split < fragmentation
        removals.append(Removal(month, org, root, method, split))
    return removals, total_attempts
