"""Sobol' sensitivity indices of one outcome over futures sampled by Saltelli's scheme.

The variance of an outcome ``Y = f(X_1, ..., X_D)`` over the futures splits into parts due to
each uncertainty alone and to their interactions (Sobol' 1993, 2001):

* first order ``S_i = V[E(Y | X_i)] / V(Y)``: the share of the variance that fixing ``X_i``
  alone would remove;
* total ``ST_i = E[V(Y | X_~i)] / V(Y)``: the share that involves ``X_i`` at all, interactions
  included (``ST_i - S_i`` is the interaction part);
* second order ``S_ij``: the share due to the interaction of ``X_i`` and ``X_j`` alone.

:func:`sobol_indices` computes them with SALib's ``SALib.analyze.sobol.analyze`` (the
``sensitivity`` extra): the estimators of Saltelli et al. (2010) for ``S_i`` and of Jansen
(1999) for ``ST_i``, Saltelli (2002) for ``S_ij``, each with a bootstrap confidence interval
(Archer, Saltelli & Sobol' 1997). The futures must come from
``sample_futures(..., sampler="saltelli")`` and the outcome must list one value per future, in
``future_id`` order.

References:
    Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their
    Monte Carlo estimates. Mathematics and Computers in Simulation 55, 271-280.
    Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity indices.
    Computer Physics Communications 145, 280-297.
    Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
    Variance based sensitivity analysis of model output. Computer Physics Communications 181,
    259-270.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.errors import InputError
from counterflow.exploration.samplers import EXTRA_HINT, Futures

__all__ = ["DEFAULT_RESAMPLES", "sobol_indices"]

# SALib's default number of bootstrap resamples for the confidence intervals.
DEFAULT_RESAMPLES = 100


def sobol_indices(
    futures: Futures,
    outcome: NDArray[np.floating[Any]] | pd.Series,
    *,
    second_order: bool = False,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of ``outcome``, with confidence intervals.

    Args:
        futures: Futures sampled by ``saltelli``.
        outcome: One value per future, in ``future_id`` order (by position, not by index).
        second_order: Add the second-order indices (the futures must allow them).
        confidence: The confidence level of the bootstrap intervals, in (0, 1).
        resamples: Bootstrap resamples for the intervals.
        seed: Seed of the bootstrap; default: the futures' seed.

    Returns:
        One row per uncertainty: ``uncertainty`` (the parameter key), ``S1``, ``S1_conf``,
        ``ST``, ``ST_conf`` (each ``_conf`` the half-width of the interval). With
        ``second_order``, also ``S2__<key>`` and ``S2_conf__<key>`` per other uncertainty (the
        symmetric matrix of ``S_ij``; empty on the diagonal).

    Raises:
        InputError: On futures not sampled by ``saltelli``, second-order indices the futures
            do not allow, an outcome of the wrong length, with missing values or constant, a
            confidence outside (0, 1), fewer than 2 resamples, or SALib missing.
    """
    _check_request(futures, second_order=second_order, confidence=confidence, resamples=resamples)
    values = _outcome_values(futures, outcome)
    analyze = _salib_analyze()
    keys = list(futures.keys)
    problem = {
        "num_vars": len(keys),
        "names": keys,
        "bounds": [[low, high] for _, low, high in futures.ranges],
    }
    # A Generator, not an int: SALib takes a seed of 0 for "no seed" (global random state).
    rng = np.random.default_rng(futures.seed if seed is None else seed)
    result = analyze(
        problem,
        values,
        calc_second_order=futures.second_order,
        num_resamples=resamples,
        conf_level=confidence,
        print_to_console=False,
        seed=rng,
    )
    table = pd.DataFrame(
        {
            "uncertainty": keys,
            "S1": np.asarray(result["S1"], dtype=np.float64),
            "S1_conf": np.asarray(result["S1_conf"], dtype=np.float64),
            "ST": np.asarray(result["ST"], dtype=np.float64),
            "ST_conf": np.asarray(result["ST_conf"], dtype=np.float64),
        }
    )
    if second_order:
        table = _with_second_order(table, result["S2"], result["S2_conf"], keys)
    return table


def _check_request(
    futures: Futures, *, second_order: bool, confidence: float, resamples: int
) -> None:
    if futures.sampler != "saltelli":
        msg = (
            f"Sobol indices need futures sampled by 'saltelli', not {futures.sampler!r}; "
            "sample again with sampler='saltelli'"
        )
        raise InputError(msg, key="sampler")
    if second_order and not futures.second_order:
        msg = (
            "second-order indices need a saltelli sample drawn with second_order=True "
            "(N(2D + 2) futures); these futures allow first-order and total indices only"
        )
        raise InputError(msg, key="second_order")
    if not 0.0 < confidence < 1.0:
        msg = f"the confidence level must lie strictly between 0 and 1, not {confidence}"
        raise InputError(msg, key="confidence")
    if resamples < 2:
        msg = f"the bootstrap needs at least 2 resamples, not {resamples}"
        raise InputError(msg, key="resamples")


def _outcome_values(
    futures: Futures, outcome: NDArray[np.floating[Any]] | pd.Series
) -> NDArray[np.float64]:
    """The outcome as a float vector of one value per future, checked."""
    name = str(outcome.name) if isinstance(outcome, pd.Series) and outcome.name else "outcome"
    values = np.asarray(outcome, dtype=np.float64).reshape(-1)
    if values.size != futures.n:
        msg = f"has {values.size:,} values for {futures.n:,} futures; give one per future"
        raise InputError(msg, key=name)
    missing = int(np.count_nonzero(~np.isfinite(values)))
    if missing:
        msg = (
            f"{missing:,} of {futures.n:,} values are missing or not finite (failed "
            "experiments?); Sobol indices need every future of the saltelli design"
        )
        raise InputError(msg, key=name)
    if np.ptp(values) == 0.0:
        msg = "is the same in every future; its Sobol indices are undefined (no variance)"
        raise InputError(msg, key=name)
    return values


def _with_second_order(
    table: pd.DataFrame,
    s2: Any,
    s2_conf: Any,
    keys: list[str],
) -> pd.DataFrame:
    """``table`` with ``S2__<key>`` and ``S2_conf__<key>`` columns (symmetric, NaN diagonal)."""
    columns = {}
    for name, upper in (("S2", s2), ("S2_conf", s2_conf)):
        matrix = np.triu(np.nan_to_num(np.asarray(upper, dtype=np.float64)), k=1)
        symmetric = matrix + matrix.T
        np.fill_diagonal(symmetric, np.nan)
        for column, key in enumerate(keys):
            columns[f"{name}__{key}"] = symmetric[:, column]
    return pd.concat([table, pd.DataFrame(columns)], axis=1)


def _salib_analyze() -> Any:
    """SALib's Sobol' analysis, imported on first use (the ``sensitivity`` extra)."""
    try:
        from SALib.analyze import sobol  # noqa: PLC0415
    except ImportError:
        msg = f"Sobol indices need the 'sensitivity' extra: {EXTRA_HINT}"
        raise InputError(msg, key="sampler") from None
    return sobol.analyze
