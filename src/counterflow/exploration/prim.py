"""Scenario discovery with PRIM, the Patient Rule Induction Method.

PRIM (Friedman & Fisher 1999) finds a box — a range on some of the uncertainties — where the
cases of interest are dense: the futures where a strategy fails its satisficing rules, say.
Scenario discovery (Bryant & Lempert 2010) reads the box as a scenario: "precursor controls
fail when the demand elasticity is below -0.4 and labs are rebuilt within 3 months".

* :func:`peel_trajectory` — peel the box one slice at a time and record the coverage/density
  trade-off at every step;
* :func:`paste_limits` — grow a box back along any side while its density does not fall;
* :func:`find_box` — peel, choose a point of the trajectory, paste, and report the box with
  its restricted dimensions and quasi-p-values, as a :class:`PrimBox`.

Every function takes the uncertainties as a DataFrame of numeric columns (one row per future;
categories must be encoded as numbers) and the cases of interest as a boolean array. A box is
closed, ``low <= x <= high`` on every dimension; its limits are values of the data. A dimension
is *restricted* when its limits cut off data: ``low`` above the column's minimum or ``high``
below its maximum.

For all cases N and cases of interest N₁, a box holding n cases of which k are of interest has

* coverage = k / N₁ (the share of the cases of interest it explains),
* density = k / n (the share of its cases that are of interest),
* mass = n / N (the share of all cases inside it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from counterflow.errors import InputError

__all__ = [
    "BOX_COLUMNS",
    "MASS_MIN",
    "PASTE_ALPHA",
    "PEEL_ALPHA",
    "THRESHOLD",
    "TRAJECTORY_COLUMNS",
    "PrimBox",
    "PrimTrajectory",
    "find_box",
    "paste_limits",
    "peel_trajectory",
]

PEEL_ALPHA = 0.05
"""Share of the box peeled per step; Friedman & Fisher (1999) advise 0.05–0.10."""
PASTE_ALPHA = 0.05
"""Share of the box's cases added per paste (EMA Workbench's default; Friedman & Fisher 1999)."""
MASS_MIN = 0.05
"""Smallest share of all cases a peeled box keeps (Friedman & Fisher's β₀; EMA's default)."""
THRESHOLD = 0.8
"""Density a box must reach to be chosen: an assumption (no paper fixes it; choose per study)."""

TRAJECTORY_COLUMNS = ("step", "coverage", "density", "mass", "res_dim", "n", "k")
BOX_COLUMNS = ("uncertainty", "low", "high", "restricted", "qp")

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class _Data:
    """Checked inputs: ``x`` (n × d floats), ``y`` (n booleans) and the unrestricted box."""

    names: tuple[str, ...]
    x: FloatArray
    y: BoolArray
    low0: FloatArray
    high0: FloatArray

    @property
    def n(self) -> int:
        """Number of cases."""
        return int(self.y.shape[0])

    @property
    def n_coi(self) -> int:
        """Number of cases of interest."""
        return int(np.count_nonzero(self.y))


@dataclass(frozen=True, eq=False)
class PrimTrajectory:
    """The boxes of a peeling trajectory, step 0 being the box around all the data.

    Attributes:
        uncertainties: The columns of ``x``, in order.
        low: Lower limits, one row per step, one column per uncertainty.
        high: Upper limits, likewise.
        table: One row per step: ``step, coverage, density, mass, res_dim`` (the number of
            restricted dimensions), ``n`` (cases in the box), ``k`` (cases of interest in it).
    """

    uncertainties: tuple[str, ...]
    low: FloatArray
    high: FloatArray
    table: pd.DataFrame


@dataclass(frozen=True, eq=False)
class PrimBox:
    """A box chosen on a PRIM trajectory, pasted, with its statistics.

    Attributes:
        limits: One row per uncertainty: ``uncertainty, low, high, restricted, qp``; an
            unrestricted dimension has the data's minimum and maximum as limits and ``qp`` NaN.
        coverage: Share of all cases of interest inside the box.
        density: Share of the box's cases that are of interest.
        mass: Share of all cases inside the box.
        step: The trajectory point the box was chosen at (before pasting).
        meets_threshold: Whether the box's density reaches the threshold it was chosen with
            (when no trajectory point does, the densest one is chosen and this is False).
        trajectory: The peeling trajectory's table (:attr:`PrimTrajectory.table`).
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    step: int
    meets_threshold: bool
    trajectory: pd.DataFrame

    @property
    def restricted(self) -> tuple[str, ...]:
        """The restricted uncertainties, in column order."""
        return tuple(self.limits.loc[self.limits["restricted"], "uncertainty"])

    def contains(self, x: pd.DataFrame) -> BoolArray:
        """Return which rows of ``x`` lie inside the box (on its restricted dimensions)."""
        inside = np.ones(len(x), dtype=bool)
        for row in self.limits.loc[self.limits["restricted"]].itertuples():
            values = x[row.uncertainty].to_numpy(dtype=float)
            inside &= (values >= row.low) & (values <= row.high)
        return inside


def peel_trajectory(
    x: pd.DataFrame,
    y: ArrayLike,
    *,
    peel_alpha: float = PEEL_ALPHA,
    mass_min: float = MASS_MIN,
) -> PrimTrajectory:
    """Peel the box around all cases, one slice per step, and record every step.

    Each step considers, for every uncertainty, two peels: the lowest and the highest
    ``peel_alpha`` share of the box's cases along it, and takes the one that leaves the highest
    density (ties: fewer restricted dimensions, then the larger box, then column order). A peel
    cuts at a data value, so ties in the data move with it: where the ``peel_alpha`` cut falls
    inside the run of cases equal to the extreme value (a discrete uncertainty), the peel removes
    that whole level instead, as Friedman & Fisher do for discrete inputs; a peel that would
    remove nothing or every case is skipped. Peeling stops when the best peel would leave less
    than ``mass_min`` of all cases, or no peel is left.

    Args:
        x: The uncertainties, one numeric column each, one row per case.
        y: The cases of interest, booleans (``True``: of interest), as long as ``x``.
        peel_alpha: Share of the box's cases one peel removes, in (0, 0.5).
        mass_min: Smallest mass a peeled box keeps, in (0, 1).

    Returns:
        The trajectory: the limits and statistics of the box at every step.

    Raises:
        InputError: ``x``, ``y`` or an option is not valid (the message says which).

    References:
        Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
        Statistics and Computing 9, 123–143 (peeling).
    """
    data = _check_data(x, y)
    _check_share(peel_alpha, key="peel_alpha", high=0.5)
    _check_share(mass_min, key="mass_min", high=1.0)
    return _peel(data, peel_alpha, mass_min)


def paste_limits(
    x: pd.DataFrame,
    y: ArrayLike,
    low: ArrayLike,
    high: ArrayLike,
    *,
    paste_alpha: float = PASTE_ALPHA,
) -> tuple[FloatArray, FloatArray]:
    """Grow a box along any side while its density does not fall; return its new limits.

    Each paste considers, for every uncertainty and side, the cases just outside that side and
    inside the box's other limits, and adds the nearest ``ceil(paste_alpha × n)`` of them (n:
    cases in the box; with their ties); the paste that gives the highest density is taken if
    that density is not below the box's (ties: the larger box, then column order). Pasting
    stops when the best paste would lower the density or none is left. The box never shrinks
    and its density never falls.

    Args:
        x: The uncertainties, one numeric column each, one row per case.
        y: The cases of interest, booleans, as long as ``x``.
        low: The box's lower limits, one per column of ``x``, in order.
        high: The box's upper limits, likewise.
        paste_alpha: Share of the box's cases one paste adds, in (0, 0.5).

    Returns:
        The pasted box's lower and upper limits.

    Raises:
        InputError: ``x``, ``y``, the limits or ``paste_alpha`` are not valid, or the box
            holds no case.

    References:
        Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
        Statistics and Computing 9, 123–143 (pasting).
    """
    data = _check_data(x, y)
    _check_share(paste_alpha, key="paste_alpha", high=0.5)
    low_array = _check_limits(low, data, key="low")
    high_array = _check_limits(high, data, key="high")
    if not _in_box(data.x, low_array, high_array).any():
        raise InputError("the box holds no case: widen its limits", key="low")
    return _paste(data, low_array, high_array, paste_alpha)


def find_box(
    x: pd.DataFrame,
    y: ArrayLike,
    *,
    threshold: float = THRESHOLD,
    peel_alpha: float = PEEL_ALPHA,
    paste_alpha: float = PASTE_ALPHA,
    mass_min: float = MASS_MIN,
    step: int | None = None,
    paste: bool = True,
) -> PrimBox:
    """Find the box where the cases of interest concentrate (one PRIM box).

    Peels (:func:`peel_trajectory`), chooses the trajectory point with the highest coverage
    whose density is at least ``threshold`` (ties: higher density, fewer restricted dimensions,
    earlier step) — or the densest point when none reaches it, or ``step`` when given — then
    pastes it (:func:`paste_limits`) unless ``paste`` is False.

    Each restricted dimension gets a quasi-p-value (Bryant & Lempert 2010): the one-sided
    binomial test (``scipy.stats.binomtest``, ``alternative="greater"``) of the box's k cases
    of interest in n against the density of the box with that dimension's restriction removed.
    A small value says the restriction matters; a large one, that it may be noise.

    Args:
        x: The uncertainties, one numeric column each, one row per case.
        y: The cases of interest, booleans, as long as ``x``.
        threshold: Density a trajectory point must reach to be chosen, in (0, 1].
        peel_alpha: Share of the box's cases one peel removes, in (0, 0.5).
        paste_alpha: Share of the box's cases one paste adds, in (0, 0.5).
        mass_min: Smallest mass a peeled box keeps, in (0, 1).
        step: The trajectory point to take instead of the threshold's choice.
        paste: Whether to paste the chosen box.

    Returns:
        The box, its statistics, its quasi-p-values and the peeling trajectory.

    Raises:
        InputError: ``x``, ``y`` or an option is not valid (the message says which).

    References:
        Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
        Statistics and Computing 9, 123–143.
        Bryant, B. P. & Lempert, R. J. (2010). Thinking inside the box: a participatory,
        computer-assisted approach to scenario discovery. Technological Forecasting & Social
        Change 77, 34–49.
    """
    data = _check_data(x, y)
    _check_share(peel_alpha, key="peel_alpha", high=0.5)
    _check_share(paste_alpha, key="paste_alpha", high=0.5)
    _check_share(mass_min, key="mass_min", high=1.0)
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"must be in (0, 1], not {threshold}", key="threshold")
    trajectory = _peel(data, peel_alpha, mass_min)
    table = trajectory.table
    if step is None:
        chosen = _choose_step(table, threshold)
    elif isinstance(step, bool) or not isinstance(step, int | np.integer):
        raise InputError(f"must be a whole number, not {step!r}", key="step")
    elif not 0 <= step < len(table):
        raise InputError(
            f"{step} is not on the trajectory: choose a step from 0 to {len(table) - 1}",
            key="step",
        )
    else:
        chosen = int(step)
    low, high = trajectory.low[chosen], trajectory.high[chosen]
    if paste:
        low, high = _paste(data, low, high, paste_alpha)
    return _box(data, low, high, step=chosen, threshold=threshold, table=table)


def _peel(data: _Data, alpha: float, mass_min: float) -> PrimTrajectory:
    """Run the peeling loop of :func:`peel_trajectory` on checked inputs."""
    low, high = data.low0.copy(), data.high0.copy()
    inside = np.ones(data.n, dtype=bool)
    lows, highs = [low.copy()], [high.copy()]
    while True:
        peel = _best_peel(data, inside, low, high, alpha)
        if peel is None or peel[1] < mass_min * data.n:
            break
        j, _, is_low, limit = peel
        if is_low:
            low[j] = limit
            inside &= data.x[:, j] >= limit
        else:
            high[j] = limit
            inside &= data.x[:, j] <= limit
        lows.append(low.copy())
        highs.append(high.copy())
    low_steps, high_steps = np.array(lows), np.array(highs)
    rows = [_stats(data, lo, hi) for lo, hi in zip(low_steps, high_steps, strict=True)]
    table = pd.DataFrame(rows, columns=list(TRAJECTORY_COLUMNS[1:]))
    table.insert(0, "step", np.arange(len(rows)))
    return PrimTrajectory(data.names, low_steps, high_steps, table)


def _best_peel(
    data: _Data, inside: BoolArray, low: FloatArray, high: FloatArray, alpha: float
) -> tuple[int, int, bool, float] | None:
    """Return the best peel ``(column, cases left, low side?, new limit)``, or None."""
    x_box, y_box = data.x[inside], data.y[inside]
    n_box = int(y_box.shape[0])
    if n_box < 2:
        return None
    n_peel = _share_count(alpha, n_box)
    restricted = _restricted(data, low, high)
    best: tuple[tuple[float, int, int, int], tuple[int, int, bool, float]] | None = None
    for j in range(len(data.names)):
        order = np.argsort(x_box[:, j], kind="stable")
        values = x_box[order, j]
        coi_before = np.concatenate(([0], np.cumsum(y_box[order])))
        res_dim = int(restricted.sum()) + (0 if restricted[j] else 1)
        for is_low in (True, False):
            limit = _peel_limit(values, n_peel, is_low=is_low)
            if limit is None:
                continue
            if is_low:
                start = int(np.searchsorted(values, limit, side="left"))
                n_new, k_new = n_box - start, int(coi_before[-1] - coi_before[start])
            else:
                n_new = int(np.searchsorted(values, limit, side="right"))
                k_new = int(coi_before[n_new])
            rank = 2 * j + (0 if is_low else 1)
            score = (k_new / n_new, -res_dim, n_new, -rank)
            if best is None or score > best[0]:
                best = (score, (j, n_new, is_low, float(limit)))
    return None if best is None else best[1]


def _peel_limit(values: FloatArray, n_peel: int, *, is_low: bool) -> float | None:
    """Return the new limit that peels about ``n_peel`` of the sorted ``values``, or None.

    The limit is the first value kept; where the cut falls inside the run of values equal to the
    extreme, the whole run is peeled (the next distinct value becomes the limit); None when
    every value is the same (the peel would remove every case).
    """
    if is_low:
        limit = values[n_peel]
        if limit == values[0]:
            above = int(np.searchsorted(values, values[0], side="right"))
            if above == values.shape[0]:
                return None
            limit = values[above]
    else:
        limit = values[-1 - n_peel]
        if limit == values[-1]:
            below = int(np.searchsorted(values, values[-1], side="left"))
            if below == 0:
                return None
            limit = values[below - 1]
    return float(limit)


def _paste(
    data: _Data, low: FloatArray, high: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """Run the pasting loop of :func:`paste_limits` on checked inputs."""
    low, high = low.copy(), high.copy()
    while True:
        within = (data.x >= low) & (data.x <= high)
        outside_count = np.count_nonzero(~within, axis=1)
        inside = outside_count == 0
        n_box, k_box = int(inside.sum()), int(np.count_nonzero(data.y[inside]))
        n_add = _share_count(alpha, n_box)
        best: tuple[tuple[float, int, int], tuple[int, bool, float]] | None = None
        for j in range(len(data.names)):
            others = (outside_count - (~within[:, j])) == 0
            for is_low in (True, False):
                paste = _paste_candidate(
                    data, others, j, low[j] if is_low else high[j], n_add, is_low=is_low
                )
                if paste is None:
                    continue
                limit, n_added, k_added = paste
                n_new, k_new = n_box + n_added, k_box + k_added
                rank = 2 * j + (0 if is_low else 1)
                score = (k_new / n_new, n_new, -rank)
                if k_new * n_box >= k_box * n_new and (best is None or score > best[0]):
                    best = (score, (j, is_low, limit))
        if best is None:
            return low, high
        j, is_low, limit = best[1]
        if is_low:
            low[j] = limit
        else:
            high[j] = limit


def _paste_candidate(
    data: _Data, others: BoolArray, j: int, limit: float, n_add: int, *, is_low: bool
) -> tuple[float, int, int] | None:
    """Return ``(new limit, cases added, cases of interest added)`` past one side, or None."""
    column = data.x[:, j]
    slab = others & ((column < limit) if is_low else (column > limit))
    values = column[slab]
    if values.shape[0] == 0:
        return None
    nearest = np.sort(values)[::-1] if is_low else np.sort(values)
    new_limit = float(nearest[min(n_add, values.shape[0]) - 1])
    added = slab & ((column >= new_limit) if is_low else (column <= new_limit))
    return new_limit, int(added.sum()), int(np.count_nonzero(data.y[added]))


def _choose_step(table: pd.DataFrame, threshold: float) -> int:
    """Return the step with the highest coverage among those dense enough (else the densest)."""
    dense = table[table["density"] >= threshold]
    if dense.empty:
        ranked = table.sort_values(["density", "coverage", "step"], ascending=[False, False, True])
    else:
        ranked = dense.sort_values(
            ["coverage", "density", "res_dim", "step"], ascending=[False, False, True, True]
        )
    return int(ranked["step"].iloc[0])


def _box(
    data: _Data,
    low: FloatArray,
    high: FloatArray,
    *,
    step: int,
    threshold: float,
    table: pd.DataFrame,
) -> PrimBox:
    """Build the :class:`PrimBox` of the limits ``low``, ``high`` with its quasi-p-values."""
    coverage, density, mass, _, n_box, k_box = _stats(data, low, high)
    restricted = _restricted(data, low, high)
    qp = np.full(len(data.names), np.nan)
    for j in np.flatnonzero(restricted):
        relaxed_low, relaxed_high = low.copy(), high.copy()
        relaxed_low[j], relaxed_high[j] = data.low0[j], data.high0[j]
        inside = _in_box(data.x, relaxed_low, relaxed_high)
        density_relaxed = float(np.count_nonzero(data.y[inside])) / int(inside.sum())
        test = stats.binomtest(int(k_box), int(n_box), density_relaxed, alternative="greater")
        qp[j] = float(test.pvalue)
    limits = pd.DataFrame(
        {
            "uncertainty": list(data.names),
            "low": low,
            "high": high,
            "restricted": restricted,
            "qp": qp,
        }
    )
    return PrimBox(
        limits=limits,
        coverage=float(coverage),
        density=float(density),
        mass=float(mass),
        step=step,
        meets_threshold=bool(density >= threshold),
        trajectory=table,
    )


def _stats(
    data: _Data, low: FloatArray, high: FloatArray
) -> tuple[float, float, float, int, int, int]:
    """Return ``coverage, density, mass, res_dim, n, k`` of a box."""
    inside = _in_box(data.x, low, high)
    n_box = int(inside.sum())
    k_box = int(np.count_nonzero(data.y[inside]))
    res_dim = int(_restricted(data, low, high).sum())
    return k_box / data.n_coi, k_box / n_box, n_box / data.n, res_dim, n_box, k_box


def _in_box(x: FloatArray, low: FloatArray, high: FloatArray) -> BoolArray:
    """Return which rows of ``x`` lie inside the closed box."""
    inside: BoolArray = np.all((x >= low) & (x <= high), axis=1)
    return inside


def _restricted(data: _Data, low: FloatArray, high: FloatArray) -> BoolArray:
    """Return which dimensions' limits cut off data."""
    restricted: BoolArray = (low > data.low0) | (high < data.high0)
    return restricted


def _share_count(alpha: float, n: int) -> int:
    """Return ``ceil(alpha × n)``, at least 1 (rounded first: 0.05 × 60 is 3.0000000000000004)."""
    return max(1, math.ceil(round(alpha * n, 9)))


def _check_data(x: pd.DataFrame, y: ArrayLike) -> _Data:
    """Check ``x`` and ``y`` and return them as arrays."""
    if not isinstance(x, pd.DataFrame):
        raise InputError(f"must be a pandas DataFrame, not {type(x).__name__}", key="x")
    if x.shape[1] == 0 or x.shape[0] == 0:
        raise InputError(
            "has no column or no row: give one numeric column per uncertainty", key="x"
        )
    names = tuple(str(name) for name in x.columns)
    if len(set(names)) != len(names):
        raise InputError("has duplicate column names: name each uncertainty once", key="x")
    for name in x.columns:
        dtype = x[name].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
            raise InputError(
                f"column {name!r} is {dtype}, not numeric: PRIM here takes numeric uncertainties "
                "only (encode categories as numbers)",
                key="x",
            )
    values = x.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        column = names[int(np.flatnonzero(bad.any(axis=0))[0])]
        raise InputError(
            f"column {column!r} has {int(bad.sum(axis=0).max())} missing or infinite values: "
            "drop or fill those rows",
            key="x",
        )
    y_array = np.asarray(y)
    if y_array.dtype != np.bool_ or y_array.ndim != 1:
        raise InputError(
            f"must be a one-dimensional boolean array (True: a case of interest), not "
            f"{y_array.dtype} with shape {y_array.shape}",
            key="y",
        )
    if y_array.shape[0] != values.shape[0]:
        raise InputError(
            f"has {y_array.shape[0]} values but x has {values.shape[0]} rows: give one per row",
            key="y",
        )
    n_coi = int(np.count_nonzero(y_array))
    if n_coi in {0, y_array.shape[0]}:
        state = "no case is" if n_coi == 0 else "every case is"
        raise InputError(f"{state} of interest: PRIM needs both kinds of case", key="y")
    return _Data(names, values, y_array.astype(bool), values.min(axis=0), values.max(axis=0))


def _check_share(value: float, *, key: str, high: float) -> None:
    """Raise :class:`InputError` unless ``0 < value < high``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value < high:
        raise InputError(f"must be a number in (0, {high:g}), not {value!r}", key=key)


def _check_limits(limits: ArrayLike, data: _Data, *, key: str) -> FloatArray:
    """Return a box's limits as floats, one per column of ``x``."""
    array = np.asarray(limits, dtype=float)
    if array.shape != (len(data.names),) or not np.isfinite(array).all():
        raise InputError(
            f"needs {len(data.names)} finite numbers, one per column of x, not {array.shape}",
            key=key,
        )
    return array
