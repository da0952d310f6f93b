"""PRIM scenario discovery on synthetic cases whose box is known, and against EMA Workbench."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from counterflow.errors import InputError
from counterflow.exploration.prim import (
    BOX_COLUMNS,
    TRAJECTORY_COLUMNS,
    find_box,
    paste_limits,
    peel_trajectory,
)

N_CASES = 2000


def _uniform_cube(seed: int = 1, n: int = N_CASES, d: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(size=(n, d)), columns=[f"x{i}" for i in range(d)])


def _known_box(x: pd.DataFrame) -> np.ndarray:
    """The cases of interest: x0 > 0.6 and x2 < 0.3 (mass 0.12)."""
    return ((x["x0"] > 0.6) & (x["x2"] < 0.3)).to_numpy()


def _noisy(y: np.ndarray, share: float = 0.05, seed: int = 2) -> np.ndarray:
    flip = np.random.default_rng(seed).uniform(size=y.shape[0]) < share
    return y ^ flip


def _density(x: pd.DataFrame, y: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    inside = ((x.to_numpy() >= low) & (x.to_numpy() <= high)).all(axis=1)
    return float(y[inside].mean())


def _assert_known_box(x: pd.DataFrame, box_limits: pd.DataFrame) -> None:
    limits = box_limits.set_index("uncertainty")
    assert list(limits.index[limits["restricted"]]) == ["x0", "x2"]
    assert abs(limits.loc["x0", "low"] - 0.6) < 0.03
    assert abs(limits.loc["x2", "high"] - 0.3) < 0.03
    # the other side of x0 and x2 stays at the data's range
    assert limits.loc["x0", "high"] == x["x0"].max()
    assert limits.loc["x2", "low"] == x["x2"].min()
    assert (limits.loc[["x0", "x2"], "qp"] < 1e-20).all()
    assert limits.loc[["x1", "x3", "x4"], "qp"].isna().all()


def test_the_known_box_is_found() -> None:
    x = _uniform_cube()
    y = _known_box(x)
    box = find_box(x, y)
    assert box.restricted == ("x0", "x2")
    _assert_known_box(x, box.limits)
    assert box.density >= 0.9
    assert box.coverage >= 0.8
    assert box.meets_threshold
    assert box.mass == pytest.approx(box.contains(x).mean())
    assert tuple(box.limits.columns) == BOX_COLUMNS
    assert tuple(box.trajectory.columns) == TRAJECTORY_COLUMNS


def test_the_known_box_is_found_through_noise() -> None:
    """5% of the labels flipped: the box is the same and holds most of the true cases."""
    x = _uniform_cube()
    truth = _known_box(x)
    box = find_box(x, _noisy(truth), threshold=0.9)
    _assert_known_box(x, box.limits)
    assert box.density >= 0.9
    inside = box.contains(x)
    assert truth[inside].sum() / truth.sum() >= 0.8  # coverage of the noise-free cases
    assert truth[inside].mean() >= 0.9


def test_the_trajectory_peels_alpha_of_the_box_per_step_down_to_mass_min() -> None:
    x = _uniform_cube()
    y = _noisy(_known_box(x))
    trajectory = peel_trajectory(x, y, peel_alpha=0.05, mass_min=0.05)
    table = trajectory.table
    first = table.iloc[0]
    assert (first["coverage"], first["mass"], first["res_dim"]) == (1.0, 1.0, 0)
    assert first["density"] == pytest.approx(y.mean())
    n = table["n"].to_numpy()
    # continuous data, no ties: each peel removes exactly ceil(0.05 n) cases
    np.testing.assert_array_equal(n[1:], n[:-1] - np.ceil(0.05 * n[:-1] - 1e-9).astype(int))
    assert table["mass"].iloc[-1] >= 0.05
    assert n[-1] - np.ceil(0.05 * n[-1]) < 0.05 * N_CASES  # the next peel would go below
    # every row is the statistics of its box
    for step in (0, 10, len(table) - 1):
        low, high = trajectory.low[step], trajectory.high[step]
        inside = ((x.to_numpy() >= low) & (x.to_numpy() <= high)).all(axis=1)
        row = table.iloc[step]
        assert row["density"] == pytest.approx(y[inside].mean())
        assert row["coverage"] == pytest.approx(y[inside].sum() / y.sum())
        assert row["mass"] == pytest.approx(inside.mean())
        restricted = (low > x.min().to_numpy()) | (high < x.max().to_numpy())
        assert row["res_dim"] == restricted.sum()


def test_discrete_levels_are_peeled_whole_and_a_constant_is_never_restricted() -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame(
        {
            "flag": rng.integers(0, 2, size=1000),
            "level": rng.integers(0, 3, size=1000),
            "u": rng.uniform(size=1000),
            "constant": np.full(1000, 3.0),
        }
    )
    y = ((x["flag"] == 1) & (x["level"] == 2) & (x["u"] > 0.5)).to_numpy()
    box = find_box(x, y, threshold=0.95)
    limits = box.limits.set_index("uncertainty")
    assert box.restricted == ("flag", "level", "u")
    assert limits.loc["flag", "low"] == 1
    assert limits.loc["level", "low"] == 2
    assert abs(limits.loc["u", "low"] - 0.5) < 0.03
    assert not limits.loc["constant", "restricted"]
    assert box.density >= 0.95
    # a peel that removes nothing is skipped: every step shrinks the box
    assert (np.diff(box.trajectory["n"]) < 0).all()


def test_pasting_grows_a_box_peeled_too_far_back_to_the_known_limit() -> None:
    x = _uniform_cube()
    y = _known_box(x)
    low = x.min().to_numpy(copy=True)
    high = x.max().to_numpy(copy=True)
    low[0], high[2] = 0.75, 0.3
    new_low, new_high = paste_limits(x, y, low, high)
    assert abs(new_low[0] - 0.6) < 0.03
    assert new_high[2] == pytest.approx(0.3, abs=0.03)
    assert _density(x, y, new_low, new_high) == 1.0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    quantiles=st.lists(st.floats(0.0, 0.3), min_size=10, max_size=10),
    paste_alpha=st.sampled_from([0.01, 0.05, 0.2]),
)
def test_pasting_never_lowers_density_and_only_grows_the_box(
    seed: int, quantiles: list[float], paste_alpha: float
) -> None:
    x = _uniform_cube(seed, n=400, d=5)
    y = _noisy(_known_box(x), share=0.1, seed=seed)
    low = np.array([x[c].quantile(q) for c, q in zip(x.columns, quantiles[:5], strict=True)])
    high = np.array([x[c].quantile(1 - q) for c, q in zip(x.columns, quantiles[5:], strict=True)])
    values = x.to_numpy()
    inside = ((values >= low) & (values <= high)).all(axis=1)
    if not inside.any():
        return
    new_low, new_high = paste_limits(x, y, low, high, paste_alpha=paste_alpha)
    assert (new_low <= low).all()
    assert (new_high >= high).all()
    inside_after = ((values >= new_low) & (values <= new_high)).all(axis=1)
    assert (inside_after | ~inside).all()
    assert _density(x, y, new_low, new_high) >= _density(x, y, low, high)


def test_quasi_p_values_tell_real_restrictions_from_noise() -> None:
    """Peeled past the known box, noise adds restrictions; their quasi-p-values are large."""
    x = _uniform_cube()
    y = _noisy(_known_box(x))
    table = peel_trajectory(x, y).table
    step = int(table.loc[table["res_dim"] >= 3, "step"].iloc[0])
    box = find_box(x, y, step=step, paste=False)
    limits = box.limits.set_index("uncertainty")
    spurious = [name for name in box.restricted if name not in {"x0", "x2"}]
    assert spurious
    assert (limits.loc[spurious, "qp"] > 0.05).all()
    assert (limits.loc[["x0", "x2"], "qp"] < 1e-20).all()
    # by hand: P(K >= k) for K ~ Binomial(n, density of the box without that restriction)
    name = spurious[0]
    inside = box.contains(x)
    relaxed = box.contains(x.assign(**{name: limits.loc[name, "low"]}))
    k, n = int(y[inside].sum()), int(inside.sum())
    expected = stats.binom.sf(k - 1, n, y[relaxed].mean())
    assert limits.loc[name, "qp"] == pytest.approx(expected, rel=1e-9)


def test_a_chosen_step_and_no_pasting() -> None:
    x = _uniform_cube()
    y = _noisy(_known_box(x))
    trajectory = peel_trajectory(x, y)
    box = find_box(x, y, step=10, paste=False)
    assert box.step == 10
    np.testing.assert_array_equal(box.limits["low"], trajectory.low[10])
    np.testing.assert_array_equal(box.limits["high"], trajectory.high[10])
    assert box.coverage == trajectory.table.loc[10, "coverage"]


def test_when_no_step_is_dense_enough_the_densest_is_chosen() -> None:
    x = _uniform_cube()
    y = np.random.default_rng(5).uniform(size=N_CASES) < 0.3  # no structure at all
    box = find_box(x, y, threshold=1.0)
    assert not box.meets_threshold
    assert box.step == int(box.trajectory["density"].idxmax())


# ema_workbench warns on import (ipyparallel, altair missing) and pandas deprecations inside it;
# none of them concerns the numbers compared here.
@pytest.mark.filterwarnings("ignore::Warning:ema_workbench.*")
@pytest.mark.filterwarnings("ignore:ipyparallel not installed:UserWarning")
@pytest.mark.filterwarnings("ignore:altair based:ImportWarning")
@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_ema_workbench_prim_finds_the_same_trajectory_and_box(noise: float) -> None:
    """The peer: EMA Workbench's Prim with the ORIGINAL objective (density, as here).

    EMA's default objective, LENIENT1, scores a peel by its gain in density per case removed;
    ORIGINAL scores it by the density left, as Friedman & Fisher and this module do. With it
    the two peel the same cases step by step until two peels leave the same density: then EMA
    takes the upper side first and this module the larger box, then the lower side, so the
    paths may part near mass_min. EMA puts a limit halfway between two data values, this module
    on a data value, so limits differ by at most the gap between neighbouring cases (< 0.005
    here). EMA's trajectory also holds its pasting steps after the peeling ones.
    """
    ema_prim = pytest.importorskip("ema_workbench.analysis.prim")
    x = _uniform_cube()
    y = _known_box(x) if noise == 0 else _noisy(_known_box(x), share=noise)
    ema = ema_prim.Prim(
        x,
        y,
        threshold=0.9,
        obj_function=ema_prim.PRIMObjectiveFunctions.ORIGINAL,
        peel_alpha=0.05,
        paste_alpha=0.05,
        mass_min=0.05,
    )
    ema_box = ema.find_box()
    theirs = ema_box.peeling_trajectory
    ours = peel_trajectory(x, y, peel_alpha=0.05, mass_min=0.05)
    table = ours.table
    m = len(table)
    assert len(theirs) >= m
    columns = ["coverage", "density", "mass", "res_dim"]
    theirs_peel = theirs[columns].iloc[:m].to_numpy(float)
    ours_peel = table[columns].to_numpy(float)
    big = table["mass"].to_numpy() >= 0.1  # before any tie between peels: the same numbers
    np.testing.assert_allclose(ours_peel[big], theirs_peel[big], atol=1e-12)
    assert np.abs(ours_peel - theirs_peel)[:, :3].max() <= 0.02  # down to mass_min
    # the same choice: highest coverage with density >= 0.9 (EMA: the first such step)
    dense = theirs.iloc[:m]
    step = int(dense[dense["density"] >= 0.9]["coverage"].idxmax())
    ours_box = find_box(x, y, threshold=0.9, step=step, paste=False).limits
    ema_limits = ema_box.box_lims[step]
    np.testing.assert_allclose(ours_box["low"], ema_limits.loc[0, list(x.columns)], atol=0.005)
    np.testing.assert_allclose(ours_box["high"], ema_limits.loc[1, list(x.columns)], atol=0.005)
    ema_restricted = (ema_limits.loc[0] > x.min()) | (ema_limits.loc[1] < x.max())
    assert list(ema_restricted[ema_restricted].index) == ["x0", "x2"]
    assert list(ours_box.loc[ours_box["restricted"], "uncertainty"]) == ["x0", "x2"]
    _assert_known_box(x, find_box(x, y, threshold=0.9).limits)


def _good() -> tuple[pd.DataFrame, np.ndarray]:
    x = _uniform_cube(n=200)
    return x, _known_box(x)


def _with_text_column() -> pd.DataFrame:
    x, _ = _good()
    return x.assign(region=["north"] * len(x))


def _with_nan() -> pd.DataFrame:
    x, _ = _good()
    x.iloc[3, 1] = np.nan
    return x


@pytest.mark.parametrize(
    ("x", "y", "options", "key", "words"),
    [
        (_good()[0].to_numpy(), _good()[1], {}, "x", "DataFrame"),
        (_with_text_column(), _good()[1], {}, "x", "not numeric"),
        (_with_nan(), _good()[1], {}, "x", "missing or infinite"),
        (_good()[0].iloc[:, :0], _good()[1], {}, "x", "no column"),
        (_good()[0], _good()[1].astype(int), {}, "y", "boolean"),
        (_good()[0], _good()[1][:-1], {}, "y", "199 values but x has 200"),
        (_good()[0], np.zeros(200, dtype=bool), {}, "y", "no case is of interest"),
        (_good()[0], np.ones(200, dtype=bool), {}, "y", "every case is of interest"),
        (_good()[0], _good()[1], {"peel_alpha": 0.0}, "peel_alpha", "(0, 0.5)"),
        (_good()[0], _good()[1], {"peel_alpha": 0.5}, "peel_alpha", "(0, 0.5)"),
        (_good()[0], _good()[1], {"paste_alpha": -0.1}, "paste_alpha", "(0, 0.5)"),
        (_good()[0], _good()[1], {"paste_alpha": float("nan")}, "paste_alpha", "(0, 0.5)"),
        (_good()[0], _good()[1], {"mass_min": 0.0}, "mass_min", "(0, 1)"),
        (_good()[0], _good()[1], {"mass_min": 1.0}, "mass_min", "(0, 1)"),
        (_good()[0], _good()[1], {"threshold": 1.5}, "threshold", "(0, 1]"),
        (_good()[0], _good()[1], {"step": 10_000}, "step", "not on the trajectory"),
        (_good()[0], _good()[1], {"step": 2.0}, "step", "whole number"),
    ],
)
def test_bad_input_is_one_line_error(
    x: pd.DataFrame, y: np.ndarray, options: dict[str, float], key: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        find_box(x, y, **options)  # type: ignore[arg-type]
    assert caught.value.key == key
    assert words in caught.value.message
    assert "\n" not in str(caught.value)


def test_bad_box_limits_for_pasting() -> None:
    x, y = _good()
    with pytest.raises(InputError, match="5 finite numbers"):
        paste_limits(x, y, [0.0] * 4, [1.0] * 5)
    with pytest.raises(InputError, match="holds no case"):
        paste_limits(x, y, [0.9] * 5, [0.1] * 5)
