"""Samplers of futures, Sobol' indices and per-experiment random streams (explore/).

Known answers: a Latin hypercube's one point per bin, the Sobol' sequence's power-of-two
balance, a factorial grid's count and ends, Saltelli's run counts N(D + 2) and N(2D + 2), the
Ishigami function's analytical Sobol' indices; peers: scipy's qmc engines and SALib's sampler
called directly; today's random streams in ``counterflow.orgs.leadership``.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from counterflow.errors import InputError
from counterflow.exploration.samplers import (
    MAX_FACTORIAL_FUTURES,
    SAMPLERS,
    Futures,
    experiment_seed,
    sample_futures,
)
from counterflow.exploration.sensitivity import sobol_indices
from counterflow.orgs.leadership import RemovalDraws
from counterflow.run.evaluators import Experiment

RANGES = {
    "traffic.q_max": (0.3, 0.5),
    "market.demand_elasticity.cocaine": (0.2, 1.2),
    "traffic.port_alpha": (0.0, 4.0),
}
ISHIGAMI = {f"ishigami.x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}
# Ishigami & Homma (1990) with a = 7, b = 0.1; analytical indices from Sobol' & Levitan (1999)
# and SALib's test problem (S13 = ST3: x3 acts only through its interaction with x1).
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
ISHIGAMI_S13 = 0.2437


def values(futures: Futures) -> np.ndarray:
    return futures.table[list(futures.columns)].to_numpy()


def ishigami(futures: Futures) -> np.ndarray:
    x1, x2, x3 = values(futures).T
    return np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


def unit_points(futures: Futures) -> np.ndarray:
    lows = np.array([low for _, low, _ in futures.ranges])
    highs = np.array([high for _, _, high in futures.ranges])
    return (values(futures) - lows) / (highs - lows)


# --- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_every_sampler_gives_future_ids_and_sorted_columns_scaled_to_the_ranges(sampler):
    futures = sample_futures(RANGES, 16, sampler=sampler, seed=7)
    table = futures.table
    assert list(table.columns) == [
        "future_id",
        "unc__market.demand_elasticity.cocaine",
        "unc__traffic.port_alpha",
        "unc__traffic.q_max",
    ]
    assert futures.keys == tuple(sorted(RANGES))
    assert table["future_id"].tolist() == list(range(futures.n))
    assert len(table) == futures.n
    assert futures.requested == 16
    assert futures.sampler == sampler
    for key, (low, high) in RANGES.items():
        column = table[f"unc__{key}"]
        assert column.between(low, high).all()
        assert column.max() - column.min() > 0.5 * (high - low)  # spread over the range


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_same_seed_gives_identical_futures_and_another_seed_other_ones(sampler):
    first = sample_futures(RANGES, 8, sampler=sampler, seed=3)
    again = sample_futures(RANGES, 8, sampler=sampler, seed=3)
    pd.testing.assert_frame_equal(first.table, again.table)
    other = sample_futures(RANGES, 8, sampler=sampler, seed=4)
    if sampler == "factorial":  # a grid has no randomness
        pd.testing.assert_frame_equal(first.table, other.table)
    else:
        assert not np.array_equal(values(first), values(other))


# --- Latin hypercube ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 100])
def test_latin_hypercube_puts_exactly_one_point_in_each_bin_of_every_dimension(n):
    futures = sample_futures(RANGES, n, sampler="lhs", seed=11)
    assert futures.n == n
    assert futures.note == ""
    bins = np.floor(unit_points(futures) * n).astype(int)
    for dimension in range(bins.shape[1]):
        assert sorted(bins[:, dimension]) == list(range(n))


def test_latin_hypercube_is_scipys_scaled_to_the_ranges():
    futures = sample_futures(RANGES, 20, sampler="lhs", seed=5)
    expected = qmc.LatinHypercube(d=3, seed=5).random(20)
    np.testing.assert_allclose(unit_points(futures), expected, atol=1e-12)


# --- Sobol' ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "size"), [(1, 1), (2, 2), (3, 4), (1000, 1024), (1025, 2048)])
def test_sobol_rounds_n_up_to_a_power_of_two_and_says_so(n, size):
    futures = sample_futures(RANGES, n, sampler="sobol", seed=1)
    assert futures.n == size
    assert futures.requested == n
    if n == size:
        assert futures.note == ""
    else:
        assert futures.note == (f"sobol: {n:,} futures rounded up to {size:,}, a power of two")


def test_sobol_is_scipys_scrambled_sequence_and_balanced():
    futures = sample_futures(RANGES, 64, sampler="sobol", seed=9)
    expected = qmc.Sobol(d=3, scramble=True, seed=9).random_base2(6)
    unit = unit_points(futures)
    np.testing.assert_allclose(unit, expected, atol=1e-12)
    # A (0, m, s)-net in base 2: each of 64 equal bins of a dimension holds one point.
    for dimension in range(3):
        assert sorted(np.floor(unit[:, dimension] * 64).astype(int)) == list(range(64))


# --- factorial ------------------------------------------------------------------------------


def test_factorial_grid_has_levels_to_the_d_futures_with_both_range_ends():
    futures = sample_futures(RANGES, 1, sampler="factorial", seed=0, levels=3)
    assert futures.n == 27
    assert "3 levels in each of 3 uncertainties" in futures.note
    assert "27 futures (asked for 1)" in futures.note
    for key, (low, high) in RANGES.items():
        column = futures.table[f"unc__{key}"]
        assert sorted(set(column)) == [low, (low + high) / 2, high]
        assert (column == low).sum() == 9
    assert not futures.table.drop(columns="future_id").duplicated().any()


@pytest.mark.parametrize(("n", "levels", "size"), [(1000, 10, 1000), (50, 4, 64), (1, 2, 8)])
def test_factorial_default_levels_make_the_grid_nearest_n(n, levels, size):
    futures = sample_futures(RANGES, n, sampler="factorial", seed=0)
    assert futures.n == size
    assert futures.note.startswith(f"factorial: {levels} levels in each of 3 uncertainties")


def test_factorial_varies_the_first_key_slowest():
    futures = sample_futures(RANGES, 1, sampler="factorial", seed=0, levels=2)
    first = futures.table["unc__market.demand_elasticity.cocaine"].tolist()
    last = futures.table["unc__traffic.q_max"].tolist()
    assert first == [0.2] * 4 + [1.2] * 4
    assert last == [0.3, 0.5] * 4


# --- Saltelli -------------------------------------------------------------------------------


@pytest.mark.parametrize(("second_order", "per_base"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_saltelli_makes_n_d_plus_2_or_n_2d_plus_2_futures(second_order, per_base):
    futures = sample_futures(RANGES, 32, sampler="saltelli", seed=2, second_order=second_order)
    assert futures.n == 32 * per_base
    assert futures.base_n == 32
    assert futures.second_order is second_order
    formula = "N(2D + 2)" if second_order else "N(D + 2)"
    assert f"{formula} = 32 x {per_base} = {32 * per_base:,} futures (D = 3)" in futures.note


def test_saltelli_rounds_the_base_sample_up_to_a_power_of_two_and_says_so():
    futures = sample_futures(RANGES, 100, sampler="saltelli", seed=2)
    assert futures.n == 128 * 5
    assert futures.note.startswith("saltelli: base sample N = 100 rounded up to 128, a power")


def test_saltelli_is_salibs_sample_scaled_to_the_ranges():
    salib_sobol = pytest.importorskip("SALib.sample.sobol")
    futures = sample_futures(RANGES, 16, sampler="saltelli", seed=4)
    problem = {
        "num_vars": 3,
        "names": list(futures.keys),
        "bounds": [[low, high] for _, low, high in futures.ranges],
    }
    expected = salib_sobol.sample(problem, 16, calc_second_order=False, seed=4)
    np.testing.assert_allclose(values(futures), expected, rtol=1e-12)


# --- bad input ------------------------------------------------------------------------------

BAD_SAMPLES = [
    ({"sampler": "grid"}, "sampler", "unknown sampler 'grid'; use one of lhs, sobol, factorial"),
    ({"n": 0}, "futures", "at least 1, not 0"),
    ({"uncertainties": {}}, "uncertainties", "no uncertainties to sample"),
    (
        {"uncertainties": {"traffic.q_max": (0.4, 0.4)}},
        "uncertainties.traffic.q_max",
        "zero width",
    ),
    (
        {"uncertainties": {**RANGES, "traffic.port_beta": (4.0, 1.0)}},
        "uncertainties.traffic.port_beta",
        "low exceeds high",
    ),
    (
        {"uncertainties": {"traffic.q_max": (0.3, float("inf"))}},
        "uncertainties.traffic.q_max",
        "must be finite",
    ),
    ({"sampler": "factorial", "levels": 1}, "levels", "at least 2 levels"),
    ({"sampler": "factorial", "levels": 101}, "levels", "1,030,301 futures, above the limit"),
    (
        {"sampler": "factorial", "uncertainties": {f"a.x{i:02d}": (0, 1) for i in range(20)}},
        "sampler",
        "2 levels in each of 20 uncertainties make 1,048,576 futures",
    ),
    ({"sampler": "lhs", "levels": 3}, "levels", "factorial sampler only"),
    ({"sampler": "sobol", "second_order": True}, "second_order", "need the saltelli sampler"),
]


@pytest.mark.parametrize(("change", "key", "words"), BAD_SAMPLES)
def test_bad_sampling_input_is_one_line_naming_the_key(change, key, words):
    arguments = {"uncertainties": RANGES, "n": 8, "seed": 0, **change}
    with pytest.raises(InputError) as caught:
        sample_futures(arguments.pop("uncertainties"), arguments.pop("n"), **arguments)
    assert caught.value.key == key
    assert words in caught.value.message
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{key}: ")


def test_factorial_limit_is_a_million_futures():
    assert MAX_FACTORIAL_FUTURES == 1_000_000
    ten = {f"a.x{i}": (0.0, 1.0) for i in range(6)}
    assert sample_futures(ten, 1, sampler="factorial", seed=0, levels=10).n == 1_000_000


def test_saltelli_without_salib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib.sample", None)
    with pytest.raises(InputError, match=r"'sensitivity' extra: pip install"):
        sample_futures(RANGES, 8, sampler="saltelli", seed=0)


# --- Sobol' indices -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ishigami_futures() -> Futures:
    return sample_futures(ISHIGAMI, 4096, sampler="saltelli", seed=12, second_order=True)


def test_sobol_indices_of_ishigami_match_the_analytical_values(ishigami_futures):
    table = sobol_indices(ishigami_futures, ishigami(ishigami_futures), second_order=True)
    assert table["uncertainty"].tolist() == list(ISHIGAMI)
    for name, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        error = np.abs(table[name].to_numpy() - truth)
        assert (error < 0.05).all(), (name, table[name].tolist())
        assert (error <= table[f"{name}_conf"].to_numpy()).all(), name
    s2 = table.set_index("uncertainty")
    assert abs(s2.loc["ishigami.x1", "S2__ishigami.x3"] - ISHIGAMI_S13) < 0.05
    assert s2.loc["ishigami.x3", "S2__ishigami.x1"] == s2.loc["ishigami.x1", "S2__ishigami.x3"]
    assert abs(s2.loc["ishigami.x1", "S2__ishigami.x2"]) < 0.05
    assert np.isnan(s2.loc["ishigami.x2", "S2__ishigami.x2"])


def test_first_order_design_gives_first_order_and_total_indices_only():
    futures = sample_futures(ISHIGAMI, 4096, sampler="saltelli", seed=3)
    table = sobol_indices(futures, pd.Series(ishigami(futures), name="y"))
    assert list(table.columns) == ["uncertainty", "S1", "S1_conf", "ST", "ST_conf"]
    np.testing.assert_allclose(table["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(table["ST"], ISHIGAMI_ST, atol=0.05)


def test_sobol_indices_are_deterministic_by_seed_including_seed_0():
    futures = sample_futures(ISHIGAMI, 64, sampler="saltelli", seed=0)
    outcome = ishigami(futures)
    first = sobol_indices(futures, outcome)
    pd.testing.assert_frame_equal(first, sobol_indices(futures, outcome))
    other = sobol_indices(futures, outcome, seed=1)
    np.testing.assert_array_equal(first["S1"], other["S1"])  # the estimates need no draws
    assert not np.array_equal(first["S1_conf"], other["S1_conf"])  # the bootstrap does


def bad_index_requests(futures: Futures):
    good = ishigami(futures)
    with_nan = good.copy()
    with_nan[5] = np.nan
    lhs = sample_futures(ISHIGAMI, 8, sampler="lhs", seed=0)
    return [
        ((lhs, ishigami(lhs)), {}, "sampler", "need futures sampled by 'saltelli', not 'lhs'"),
        ((futures, good), {"second_order": True}, "second_order", "second_order=True"),
        ((futures, good[:-1]), {}, "outcome", f"{futures.n - 1} values for {futures.n} futures"),
        ((futures, pd.Series(with_nan, name="deaths")), {}, "deaths", "1 of 40 values"),
        ((futures, np.ones(futures.n)), {}, "outcome", "the same in every future"),
        ((futures, good), {"confidence": 1.0}, "confidence", "strictly between 0 and 1"),
        ((futures, good), {"resamples": 1}, "resamples", "at least 2 resamples"),
    ]


def test_bad_index_requests_are_one_line_naming_the_key():
    futures = sample_futures(ISHIGAMI, 8, sampler="saltelli", seed=0)
    for arguments, options, key, words in bad_index_requests(futures):
        with pytest.raises(InputError) as caught:
            sobol_indices(*arguments, **options)
        assert caught.value.key == key
        assert words in caught.value.message
        assert "\n" not in str(caught.value)


def test_sobol_indices_without_salib_names_the_extra(monkeypatch):
    futures = sample_futures(ISHIGAMI, 8, sampler="saltelli", seed=0)
    monkeypatch.setitem(sys.modules, "SALib.analyze", None)
    with pytest.raises(InputError, match=r"'sensitivity' extra: pip install"):
        sobol_indices(futures, ishigami(futures))


# --- random streams -------------------------------------------------------------------------


def draws(sequence: np.random.SeedSequence) -> np.ndarray:
    return np.random.default_rng(sequence).random(5)


def test_equal_seed_future_and_replication_give_equal_streams():
    np.testing.assert_array_equal(
        draws(experiment_seed(42, 3, 1)), draws(experiment_seed(42, 3, 1))
    )


def test_streams_differ_by_seed_future_and_replication():
    base = draws(experiment_seed(42, 3, 1))
    for other in ((43, 3, 1), (42, 4, 1), (42, 3, 2), (42, 1, 3)):
        assert not np.array_equal(base, draws(experiment_seed(*other)))


def test_streams_never_depend_on_the_strategy():
    assert list(inspect.signature(experiment_seed).parameters) == [
        "seed",
        "future_id",
        "replication",
    ]
    one, two = Experiment("border-surge", 2, future=5), Experiment("sanctions", 2, future=5)
    np.testing.assert_array_equal(
        draws(experiment_seed(9, one.future, one.replication)),
        draws(experiment_seed(9, two.future, two.replication)),
    )


@pytest.mark.parametrize(("future", "replication"), [(0, 0), (0, 3), (7, 2)])
def test_streams_extend_todays_organization_slots(future, replication):
    # Slot s of a run draws from SeedSequence(seed, (future, replication, s)) today; the s-th
    # child of the experiment's sequence is that stream, so future 0 meets compare's draws.
    today = RemovalDraws.spawn(21, future=future, replication=replication, num_roots=2, months=4)
    children = experiment_seed(21, future, replication).spawn(6)
    spawned = np.stack([np.random.default_rng(child).random((4, 3)) for child in children])
    np.testing.assert_array_equal(today.uniforms, spawned)


@pytest.mark.parametrize("name", ["seed", "future_id", "replication"])
def test_negative_stream_arguments_are_refused(name):
    arguments = {"seed": 1, "future_id": 1, "replication": 1, name: -1}
    with pytest.raises(InputError, match="non-negative") as caught:
        experiment_seed(**arguments)
    assert caught.value.key == name
