"""Solver options (``assign/options.py``): checked when built, every problem named at once, and
each option reaching the algorithm it tunes."""

from __future__ import annotations

import dataclasses

import pytest

from counterflow.assign import SolverOptions, solve_equilibrium
from counterflow.errors import InvalidParameterError
from test_gradient_projection import grid


@pytest.mark.parametrize("keep", ["steps", 2, None])
def test_bad_keep_paths_is_refused(keep: object) -> None:
    with pytest.raises(InvalidParameterError, match="keep_paths"):
        SolverOptions(keep_paths=keep)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_seconds", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_max_seconds_is_refused(max_seconds: float) -> None:
    with pytest.raises(InvalidParameterError, match="max_seconds"):
        SolverOptions(max_seconds=max_seconds)


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_bad_gauss_seidel_until_is_refused(value: float) -> None:
    with pytest.raises(InvalidParameterError, match="gauss_seidel_until"):
        SolverOptions(gauss_seidel_until=value)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.5, float("nan")])
def test_bad_inner_share_is_refused(value: float) -> None:
    with pytest.raises(InvalidParameterError, match="inner_share"):
        SolverOptions(inner_share=value)


def test_bad_compact_routes_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="compact_routes"):
        SolverOptions(compact_routes="yes")  # type: ignore[arg-type]


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InvalidParameterError) as raised:
        SolverOptions(inner_share=2.0, gauss_seidel_until=-1.0, max_seconds=0.0)
    assert raised.value.key == "options"
    for name in ("inner_share", "gauss_seidel_until", "max_seconds"):
        assert name in raised.value.message


def test_options_are_frozen() -> None:
    options = SolverOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.inner_share = 0.5  # type: ignore[misc]


def test_the_frank_wolfe_family_reads_only_the_time_limit() -> None:
    problem = grid()
    tuned = SolverOptions(inner_share=0.01, gauss_seidel_until=0.0, keep_paths=False)
    plain = solve_equilibrium(problem, algorithm="bfw", gap=1e-3)
    same = solve_equilibrium(problem, algorithm="bfw", gap=1e-3, options=tuned)
    assert [r.relative_gap for r in plain.history] == [r.relative_gap for r in same.history]
    late = solve_equilibrium(
        problem, algorithm="bfw", gap=0.0, options=SolverOptions(max_seconds=1e-9)
    )
    assert not late.converged
    assert late.iterations == 0
