"""Futures: points sampled over a scenario's ``[uncertainties]``, and each experiment's stream.

A *future* is one value for every uncertain parameter. :func:`sample_futures` draws N of them
with one of four samplers and scales each from the unit interval to its ``[low, high]`` range:

* ``lhs`` — Latin hypercube (McKay, Beckman & Conover 1979) through
  ``scipy.stats.qmc.LatinHypercube``: each of the N equal bins of every dimension holds exactly
  one point. N is kept.
* ``sobol`` — the scrambled Sobol' sequence (Sobol' 1967; Owen 1998 scrambling) through
  ``scipy.stats.qmc.Sobol``. Its balance holds for a power of two points only, so N is rounded
  up to the next power of two (the note says so).
* ``factorial`` — a full factorial grid with ``levels`` evenly spaced values per dimension, both
  range ends included; N becomes ``levels ** D``. By default ``levels`` is the integer whose
  D-th power is nearest N (at least 2).
* ``saltelli`` — Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010) through SALib's
  ``SALib.sample.sobol.sample`` (the ``sensitivity`` extra), for Sobol' indices
  (:func:`counterflow.exploration.sensitivity.sobol_indices`). N is the *base* sample, rounded up to
  a power of two; the futures number N(D + 2) for first-order and total indices, N(2D + 2) with
  second-order indices. Their order is the scheme's and must be kept for the analysis.

The same seed gives the same futures. Random draws inside a run come from
:func:`experiment_seed`: one stream per (future, replication), never per strategy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from counterflow.errors import InputError

__all__ = [
    "COLUMN_PREFIX",
    "MAX_FACTORIAL_FUTURES",
    "SAMPLERS",
    "Futures",
    "experiment_seed",
    "sample_futures",
    "uncertainty_column",
]

SAMPLERS = ("lhs", "sobol", "factorial", "saltelli")
COLUMN_PREFIX = "unc__"
# A guard against a typo in --futures or --levels, not a model limit (assumption): at issue 33's
# target of 8,000 experiments in 15 minutes on 2 cores, a million futures of 8 strategies take
# about 10 days.
MAX_FACTORIAL_FUTURES = 1_000_000

EXTRA_HINT = "pip install 'counterflow[sensitivity]'"


@dataclass(frozen=True)
class Futures:
    """Sampled futures and how they were drawn.

    Attributes:
        table: ``future_id`` (0 to ``n - 1``) and one ``unc__<parameter key>`` column per
            uncertainty, in sorted key order; one row per future.
        sampler: The sampler's name (one of :data:`SAMPLERS`).
        requested: The N that was asked for.
        n: The number of futures drawn (differs from ``requested`` for ``sobol``, ``factorial``
            and ``saltelli``; see the module docstring).
        note: One line saying how N changed and why; empty when there is nothing to say.
        seed: The seed the futures were drawn with.
        ranges: ``(key, low, high)`` per uncertainty, in column order.
        second_order: Whether a ``saltelli`` sample allows second-order indices.
    """

    table: pd.DataFrame
    sampler: str
    requested: int
    n: int
    note: str
    seed: int
    ranges: tuple[tuple[str, float, float], ...]
    second_order: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """The uncertain parameters' keys, in column order."""
        return tuple(key for key, _, _ in self.ranges)

    @property
    def columns(self) -> tuple[str, ...]:
        """The ``unc__<key>`` columns of :attr:`table`, in order."""
        return tuple(uncertainty_column(key) for key in self.keys)

    @property
    def base_n(self) -> int:
        """The base sample of a ``saltelli`` design (N in N(D + 2)); ``n`` for the others."""
        if self.sampler != "saltelli":
            return self.n
        dimensions = len(self.ranges)
        return self.n // (2 * dimensions + 2 if self.second_order else dimensions + 2)


def uncertainty_column(key: str) -> str:
    """The futures table's column for the parameter ``key``: ``unc__<key>``."""
    return f"{COLUMN_PREFIX}{key}"


def sample_futures(
    uncertainties: Mapping[str, tuple[float, float]],
    n: int,
    *,
    sampler: str = "lhs",
    seed: int,
    levels: int | None = None,
    second_order: bool = False,
) -> Futures:
    """Sample ``n`` futures over ``uncertainties`` (parameter key -> ``(low, high)``).

    Args:
        uncertainties: The ranges to sample, e.g. ``Scenario.uncertainties``.
        n: How many futures to ask for (the base sample for ``saltelli``).
        sampler: ``lhs``, ``sobol``, ``factorial`` or ``saltelli`` (module docstring).
        seed: The seed; the same seed gives the same futures.
        levels: Values per dimension of the ``factorial`` grid (default: nearest to N).
        second_order: Draw a ``saltelli`` design that also allows second-order indices.

    Raises:
        InputError: On an unknown sampler, ``n < 1``, no uncertainties, an empty or reversed
            range, an option that does not apply to the sampler, or a factorial grid of more
            than :data:`MAX_FACTORIAL_FUTURES` futures.
    """
    _check_options(n, sampler=sampler, levels=levels, second_order=second_order)
    ranges = _checked_ranges(uncertainties)
    dimensions = len(ranges)
    if sampler == "factorial":
        values, note = _factorial(ranges, n, levels)
    else:
        if sampler == "lhs":
            unit, note = _latin_hypercube(dimensions, n, seed), ""
        elif sampler == "sobol":
            unit, note = _sobol(dimensions, n, seed)
        else:
            unit, note = _saltelli(ranges, n, seed, second_order=second_order)
        values = _scaled(unit, ranges)
    table = pd.DataFrame(values, columns=[uncertainty_column(key) for key, _, _ in ranges])
    table.insert(0, "future_id", np.arange(len(table), dtype=np.int64))
    return Futures(
        table=table,
        sampler=sampler,
        requested=n,
        n=len(table),
        note=note,
        seed=seed,
        ranges=ranges,
        second_order=second_order,
    )


def experiment_seed(seed: int, future_id: int, replication: int) -> np.random.SeedSequence:
    """The root of every random stream of one experiment: ``SeedSequence(seed, (f, r))``.

    The stream depends on the future and the replication, never on the strategy, so every
    strategy in a future meets the same draws (common random numbers; DESIGN.md,
    "Randomness"). It extends today's streams: organization slot ``s`` of a run draws from
    ``SeedSequence(seed, spawn_key=(future, replication, s))``
    (``counterflow.orgs.leadership.RemovalDraws.spawn``), which is exactly the ``s``-th child
    that :meth:`numpy.random.SeedSequence.spawn` gives of this sequence. Future 0 therefore
    meets the draws of ``counterflow compare`` (which runs future 0) in each replication.

    Raises:
        InputError: If an argument is negative (``SeedSequence`` takes non-negative integers).
    """
    for name, value in (("seed", seed), ("future_id", future_id), ("replication", replication)):
        if value < 0:
            msg = f"must be a non-negative integer, not {value}"
            raise InputError(msg, key=name)
    return np.random.SeedSequence(seed, spawn_key=(future_id, replication))


def _check_options(n: int, *, sampler: str, levels: int | None, second_order: bool) -> None:
    if sampler not in SAMPLERS:
        known = ", ".join(SAMPLERS)
        msg = f"unknown sampler {sampler!r}; use one of {known}"
        raise InputError(msg, key="sampler")
    if n < 1:
        msg = f"the number of futures must be at least 1, not {n}"
        raise InputError(msg, key="futures")
    if levels is not None and sampler != "factorial":
        msg = f"levels apply to the factorial sampler only, not to {sampler!r}; leave it out"
        raise InputError(msg, key="levels")
    if levels is not None and levels < 2:
        msg = f"a factorial grid needs at least 2 levels (both range ends), not {levels}"
        raise InputError(msg, key="levels")
    if second_order and sampler != "saltelli":
        msg = f"second-order indices need the saltelli sampler, not {sampler!r}"
        raise InputError(msg, key="second_order")


def _checked_ranges(
    uncertainties: Mapping[str, tuple[float, float]],
) -> tuple[tuple[str, float, float], ...]:
    """The ranges as ``(key, low, high)`` in sorted key order, each finite and of positive width."""
    if not uncertainties:
        msg = "no uncertainties to sample; give ranges in the scenario's [uncertainties] table"
        raise InputError(msg, key="uncertainties")
    ranges = []
    for key in sorted(uncertainties):
        low, high = (float(bound) for bound in uncertainties[key])
        where = f"uncertainties.{key}"
        if not (math.isfinite(low) and math.isfinite(high)):
            msg = f"range [{low}, {high}] must be finite"
            raise InputError(msg, key=where)
        if low > high:
            msg = f"range [{low}, {high}]: low exceeds high; swap them"
            raise InputError(msg, key=where)
        if low == high:
            msg = f"range [{low}, {high}] has zero width; widen it or move {key} to [parameters]"
            raise InputError(msg, key=where)
        ranges.append((key, low, high))
    return tuple(ranges)


def _scaled(
    unit: NDArray[np.float64], ranges: tuple[tuple[str, float, float], ...]
) -> NDArray[np.float64]:
    """Points of the unit cube scaled to the ranges: ``low + u (high - low)``, kept inside."""
    lows = np.array([low for _, low, _ in ranges])
    highs = np.array([high for _, _, high in ranges])
    scaled: NDArray[np.float64] = np.clip(lows + unit * (highs - lows), lows, highs)
    return scaled


def _latin_hypercube(dimensions: int, n: int, seed: int) -> NDArray[np.float64]:
    """``n`` points of a Latin hypercube, each inside its cell at random (scipy's default)."""
    engine = qmc.LatinHypercube(d=dimensions, seed=seed)
    return np.asarray(engine.random(n), dtype=np.float64)


def _power_of_two_at_least(n: int) -> int:
    """The smallest power of two that is at least ``n`` (1 for 1)."""
    return 1 << (n - 1).bit_length()


def _sobol(dimensions: int, n: int, seed: int) -> tuple[NDArray[np.float64], str]:
    """The first ``2^m >= n`` points of a scrambled Sobol' sequence, and the note."""
    size = _power_of_two_at_least(n)
    engine = qmc.Sobol(d=dimensions, scramble=True, seed=seed)
    unit = np.asarray(engine.random_base2(size.bit_length() - 1), dtype=np.float64)
    note = "" if size == n else f"sobol: {n:,} futures rounded up to {size:,}, a power of two"
    return unit, note


def _factorial(
    ranges: tuple[tuple[str, float, float], ...], n: int, levels: int | None
) -> tuple[NDArray[np.float64], str]:
    """The full factorial grid (first key varying slowest) and the note."""
    dimensions = len(ranges)
    chosen = _nearest_levels(n, dimensions) if levels is None else levels
    size = int(chosen**dimensions)
    if size > MAX_FACTORIAL_FUTURES:
        msg = (
            f"factorial: {chosen} levels in each of {dimensions} uncertainties make {size:,} "
            f"futures, above the limit of {MAX_FACTORIAL_FUTURES:,}; use the lhs or sobol "
            "sampler, fewer levels or fewer uncertainties"
        )
        raise InputError(msg, key="sampler" if levels is None else "levels")
    axes = [np.linspace(low, high, chosen) for _, low, high in ranges]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(size, dimensions)
    note = (
        f"factorial: {chosen} levels in each of {dimensions} uncertainties, both range ends "
        f"included: {size:,} futures"
    )
    if size != n:
        note += f" (asked for {n:,})"
    return grid, note


def _nearest_levels(n: int, dimensions: int) -> int:
    """The number of levels (at least 2) whose ``dimensions``-th power is nearest ``n``."""
    root = round(math.pow(n, 1.0 / dimensions))
    candidates = [level for level in (root - 1, root, root + 1) if level >= 2] or [2]
    return min(candidates, key=lambda level: (abs(int(level**dimensions) - n), level))


def _saltelli(
    ranges: tuple[tuple[str, float, float], ...], n: int, seed: int, *, second_order: bool
) -> tuple[NDArray[np.float64], str]:
    """Saltelli's design on the unit cube through SALib, and the note."""
    sample = _salib_saltelli_sample()
    dimensions = len(ranges)
    base = _power_of_two_at_least(n)
    problem: dict[str, Any] = {
        "num_vars": dimensions,
        "names": [key for key, _, _ in ranges],
        "bounds": [[0.0, 1.0]] * dimensions,
    }
    unit = np.asarray(
        sample(problem, base, calc_second_order=second_order, scramble=True, seed=seed),
        dtype=np.float64,
    )
    runs = 2 * dimensions + 2 if second_order else dimensions + 2
    formula = "N(2D + 2)" if second_order else "N(D + 2)"
    indices = "first-order, total and second-order" if second_order else "first-order and total"
    rounded = "" if base == n else f" rounded up to {base:,}, a power of two"
    note = (
        f"saltelli: base sample N = {n:,}{rounded}; {formula} = {base:,} x {runs} = "
        f"{base * runs:,} futures (D = {dimensions}) for {indices} Sobol indices"
    )
    return unit, note


def _salib_saltelli_sample() -> Any:
    """SALib's Saltelli sampler, imported on first use (the ``sensitivity`` extra)."""
    try:
        from SALib.sample import sobol  # noqa: PLC0415
    except ImportError:
        msg = f"the saltelli sampler needs the 'sensitivity' extra: {EXTRA_HINT}"
        raise InputError(msg, key="sampler") from None
    return sobol.sample
