"""The route store (``assign/_routes.py``): warm-start routes are checked and each fault named,
compact one-byte steps hold the same routes as link ids and give the same bits, the store grows
in place, and routes mapped from a checkpoint file are copied once and handed back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from _networks import affine_costs, network, travel_class
from counterflow.assign import (
    AssignmentProblem,
    AssignmentResult,
    SolverOptions,
    _routes,
    decode_paths,
    solve_equilibrium,
)
from counterflow.assign._routes import RouteStore
from counterflow.assign.gradient_projection import _Solver
from counterflow.errors import InvalidParameterError
from test_gradient_projection import PROBLEMS, grid

STEPS = SolverOptions(keep_paths="compact")  # routes returned as the solver's one-byte steps


def test_bad_warm_start_paths_are_refused() -> None:
    problem = grid()
    paths = solve_equilibrium(problem, gap=1e-4).paths
    assert paths is not None
    other = grid(side=10, zones=10)
    with pytest.raises(InvalidParameterError, match="pairs"):
        solve_equilibrium(other, initial=paths)
    broken = np.array(paths.store)
    broken[int(paths.path_start[0])] = problem.network.num_links + 5
    with pytest.raises(InvalidParameterError, match="outside this network"):
        solve_equilibrium(problem, initial=replace(paths, store=broken))
    shuffled = np.array(paths.store)
    long_path = int(np.argmax(paths.path_length))
    start = int(paths.path_start[long_path])
    shuffled[start + 1], shuffled[start + 2] = shuffled[start + 2], shuffled[start + 1]
    with pytest.raises(InvalidParameterError, match=r"chain|origin"):
        solve_equilibrium(problem, initial=replace(paths, store=shuffled))
    negative = np.array(paths.path_flow)
    negative[0] = -1.0
    with pytest.raises(InvalidParameterError, match=">= 0"):
        solve_equilibrium(problem, initial=replace(paths, path_flow=negative))


def test_each_fault_of_warm_start_routes_is_named() -> None:
    # One table per fault the in-place walk (check_routes) tells apart, on int32 routes and
    # on the compact store they are read into.
    problem = grid()
    paths = solve_equilibrium(problem, gap=1e-4).paths
    assert paths is not None
    last = paths.num_paths - 1
    two = int(np.argmax(paths.path_length > 1))  # a path of at least two links
    outside = np.array(paths.path_start)
    outside[last] = paths.store.shape[0] - int(paths.path_length[last]) + 1
    begun = np.array(paths.path_start)
    begun[two] += 1  # starts at the path's second link: from another node
    cut = np.array(paths.path_length)
    cut[two] -= 1  # ends one link early: at another node
    joined = np.array(paths.store)
    joined[int(paths.path_start[two]) + 1] = joined[int(paths.path_start[two])]
    counts = np.array(paths.pair_path)
    counts[1] = counts[2] + 1
    cases = {
        "outside the link store": replace(paths, path_start=outside),
        "origin and destination": replace(paths, path_start=begun),
        "origin and destination ": replace(paths, path_length=cut),
        "not a chain": replace(paths, store=joined),
        "running count": replace(paths, pair_path=counts),
        "integers": replace(paths, store=paths.store.astype(np.float64)),
    }
    for fault, bad in cases.items():
        for compact in (False, True):
            with pytest.raises(InvalidParameterError, match=fault.strip()):
                solve_equilibrium(
                    problem, initial=bad, options=SolverOptions(compact_routes=compact)
                )


def test_compact_routes_are_the_same_routes_in_a_quarter_of_the_bytes() -> None:
    problem = grid()
    ids = solve_equilibrium(problem, gap=1e-6, options=SolverOptions(compact_routes=True))
    assert ids.paths is not None
    assert not ids.paths.compact
    for compact_solver in (True, False):
        steps = solve_equilibrium(
            problem,
            gap=1e-6,
            options=SolverOptions(compact_routes=compact_solver, keep_paths="compact"),
        )
        assert steps.paths is not None
        assert steps.paths.compact
        assert steps.paths.store.dtype == np.uint8
        assert steps.paths.store.nbytes * 4 == ids.paths.store.nbytes
        read = decode_paths(problem, steps.paths)
        for name in ("pair_path", "path_start", "path_length", "path_flow", "store"):
            assert np.array_equal(getattr(read, name), getattr(ids.paths, name)), name
        with pytest.raises(ValueError, match="decode_paths"):
            steps.paths.links(0)
        # A warm start from steps is the warm start from link ids, in either kind of solver.
        for compact_warm in (True, False):
            warm_options = SolverOptions(compact_routes=compact_warm)
            warm = solve_equilibrium(
                problem, gap=1e-10, max_iter=2, initial=steps.paths, options=warm_options
            )
            same = solve_equilibrium(
                problem, gap=1e-10, max_iter=2, initial=ids.paths, options=warm_options
            )
            assert np.array_equal(warm.flows.link, same.flows.link)
            assert [r.relative_gap for r in warm.history] == [r.relative_gap for r in same.history]


def test_each_fault_of_compact_warm_start_routes_is_named() -> None:
    problem = grid()
    paths = solve_equilibrium(problem, gap=1e-4, options=STEPS).paths
    assert paths is not None
    assert paths.compact
    two = int(np.argmax(paths.path_length > 1))
    beyond = np.array(paths.store)
    beyond[int(paths.path_start[two])] = 200  # no node of a grid has 200 out-links
    cut = np.array(paths.path_length)
    cut[two] -= 1
    outside = np.array(paths.path_start)
    outside[-1] = paths.store.shape[0]
    cases = {
        "no out-link of its node": replace(paths, store=beyond),
        "origin and destination": replace(paths, path_length=cut),
        "outside the link store": replace(paths, path_start=outside),
    }
    for fault, bad in cases.items():
        for compact in (False, True):
            with pytest.raises(InvalidParameterError, match=fault):
                solve_equilibrium(
                    problem, initial=bad, options=SolverOptions(compact_routes=compact)
                )
        with pytest.raises(InvalidParameterError, match=fault):
            decode_paths(problem, bad)


def test_the_route_store_grows_in_place_and_copies_only_while_a_view_of_it_lives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_routes, "_MAP_BYTES", 0)  # every store in its own map
    store = RouteStore.empty(4096, np.dtype(np.uint8))
    memory = _routes._map_under(store.steps, read_only=False)
    assert memory is not None
    size = store.steps.shape[0]
    codes = (np.arange(size) % 4).astype(store.steps.dtype)
    store.steps[:] = codes
    store.used = size
    store.reserve(10)
    assert _routes._map_under(store.steps, read_only=False) is memory  # the same map, grown
    assert store.steps.shape[0] >= size + 10
    assert np.array_equal(store.steps[:size], codes)
    view = store.steps[:size]  # e.g. the routes of a result handed out
    store.used = store.steps.shape[0]
    store.reserve(store.steps.shape[0])
    assert _routes._map_under(store.steps, read_only=False) is not memory  # a view lived: copied
    assert np.array_equal(store.steps[:size], codes)
    assert np.array_equal(view, codes)  # and the view still reads valid memory


def peak_resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_large_route_store_grows_without_a_second_copy_resident() -> None:
    """numpy's resize copies a large block (both resident); the store's own map does not."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # the peak resident set := the current
    except OSError:
        pytest.skip("needs /proc/self/clear_refs (Linux) to reset the peak resident set")
    store = RouteStore.empty(128 << 20, np.dtype(np.uint8))
    store.steps[:] = 1  # resident: 128 MiB
    store.used = store.steps.shape[0]
    Path("/proc/self/clear_refs").write_text("5")
    before = peak_resident_mib()
    store.reserve(1)
    assert peak_resident_mib() - before < 32  # no second 128 MiB
    assert store.steps.shape[0] >= (128 << 20) + 1
    assert (store.steps[: 128 << 20] == 1).all()
    assert store.steps[-1] == 0


def resident_bytes_of_map(array: np.ndarray) -> int:
    """Resident bytes of the file mapping that ``array`` views (``/proc/self/smaps``, Linux)."""
    base = np.frombuffer(array.base, dtype=np.uint8, count=1).ctypes.data
    found = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(maxsplit=1)[0]
        if not first.endswith(":"):  # a mapping's header: start-end perms offset ...
            found = int(first.split("-")[0], 16) == base
        elif found and first == "Rss:":
            return int(line.split()[1]) * 1024
    raise AssertionError("no such mapping")


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps (Linux)")
def test_warm_start_routes_mapped_from_a_file_are_copied_once_and_handed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resumed solve reads a mapped checkpoint slice by slice, never holding it twice."""
    problem = grid()
    for compact in (True, False):
        kept = "compact" if compact else True
        solved = solve_equilibrium(
            problem, gap=1e-3, options=SolverOptions(compact_routes=compact, keep_paths=kept)
        )
        assert solved.paths is not None
        np.save(tmp_path / "store.npy", solved.paths.store)
        mapped = np.load(tmp_path / "store.npy", mmap_mode="r")
        assert np.array_equal(mapped, solved.paths.store)  # every page read: resident
        assert resident_bytes_of_map(mapped) >= solved.paths.store.nbytes
        monkeypatch.setattr(_routes, "_COPY_SLICE", 4096)  # many slices
        warm = solve_equilibrium(
            problem,
            gap=1e-10,
            max_iter=2,
            initial=replace(solved.paths, store=mapped),
            options=SolverOptions(compact_routes=compact),
        )
        assert resident_bytes_of_map(mapped) <= 4096  # handed back; the check read the copy
        same = solve_equilibrium(
            problem,
            gap=1e-10,
            max_iter=2,
            initial=solved.paths,
            options=SolverOptions(compact_routes=compact),
        )
        assert np.array_equal(warm.flows.link, same.flows.link)
        assert [r.relative_gap for r in warm.history] == [r.relative_gap for r in same.history]
        assert np.array_equal(mapped, solved.paths.store)  # the file is as it was
        del mapped


def test_a_copy_on_write_map_keeps_its_own_changes_when_copied(tmp_path: Path) -> None:
    np.save(tmp_path / "store.npy", np.arange(10_000, dtype=np.int32))
    changed = np.load(tmp_path / "store.npy", mmap_mode="c")
    changed[:5000] = -1  # pages of this process only, not in the file: never handed back
    copy = _routes.private_copy(changed)
    assert np.array_equal(copy, changed)
    assert (changed[:5000] == -1).all()
    assert copy.flags.owndata
    assert copy.flags.writeable


def solve_both_ways(
    problem: AssignmentProblem, gap: float, max_iter: int | None = None
) -> tuple[AssignmentResult, AssignmentResult]:
    """Solve with int32 and with compact route stores."""
    return tuple(  # type: ignore[return-value]
        solve_equilibrium(
            problem, gap=gap, max_iter=max_iter, options=SolverOptions(compact_routes=compact)
        )
        for compact in (False, True)
    )


@pytest.mark.parametrize("name", ["random-own-4", "elastic-braess", "blocked-zones", "grid"])
def test_compact_routes_give_identical_bits_and_the_same_routes(name: str) -> None:
    # One-byte route steps are read back to the same link ids, summed in the same order.
    problem = PROBLEMS[name][0]()
    plain, compact = solve_both_ways(problem, gap=1e-10, max_iter=500)
    assert np.array_equal(plain.flows.link, compact.flows.link)
    assert np.array_equal(plain.flows.abstain, compact.flows.abstain)
    assert [r.relative_gap for r in plain.history] == [r.relative_gap for r in compact.history]
    assert plain.paths is not None
    assert compact.paths is not None
    for field in ("pair_path", "path_start", "path_length", "path_flow", "store"):
        assert np.array_equal(getattr(plain.paths, field), getattr(compact.paths, field)), field
    assert compact.paths.store.dtype == np.int32  # results hold link ids either way
    assert plain.route_count == compact.route_count == plain.paths.num_paths
    # The plain store holds 4 bytes a step, the compact one 1; the path table is the same.
    steps = int(plain.paths.path_length.sum())
    assert plain.route_bytes is not None
    assert compact.route_bytes is not None
    assert plain.route_bytes - compact.route_bytes == 3 * steps
    # A warm start from the routes is read into the compact store and stops at once.
    warm = solve_equilibrium(
        problem, gap=1e-10, initial=plain.paths, options=SolverOptions(compact_routes=True)
    )
    assert warm.iterations == 0
    assert np.array_equal(warm.flows.link, plain.flows.link)


def star(spokes: int) -> AssignmentProblem:
    """One origin, ``spokes`` parallel two-link routes (node 0's out-degree is ``spokes``)."""
    links = [(0, 1 + i) for i in range(spokes)] + [(1 + i, spokes + 1) for i in range(spokes)]
    rng = np.random.default_rng(5)
    free = np.r_[rng.uniform(1.0, 3.0, spokes), np.ones(spokes)]
    return AssignmentProblem(
        network=network(spokes + 2, links),
        costs=affine_costs(list(free), [0.05] * (2 * spokes)),
        classes=(travel_class(2 * spokes, [(0, spokes + 1, 3000.0)]),),
    )


def test_a_node_with_more_than_256_out_links_gets_two_byte_route_steps() -> None:
    problem = star(300)
    link_code, forward = _routes.route_coding(problem.network, True)
    assert link_code.dtype == np.uint16
    assert int(link_code.max()) == 299
    assert _routes.route_coding(star(200).network, True)[0].dtype == np.uint8
    assert forward.shape == (problem.network.num_links, 2)
    plain, compact = solve_both_ways(problem, gap=1e-9)
    assert compact.converged
    assert np.array_equal(plain.flows.link, compact.flows.link)
    assert compact.paths is not None
    assert plain.paths is not None
    assert np.array_equal(plain.paths.store, compact.paths.store)


def test_keep_paths_false_returns_no_routes_but_counts_them() -> None:
    problem = grid()
    kept = solve_equilibrium(problem, gap=1e-6)
    bare = solve_equilibrium(problem, gap=1e-6, options=SolverOptions(keep_paths=False))
    assert bare.paths is None
    assert kept.paths is not None
    assert bare.route_count == kept.route_count == kept.paths.num_paths
    assert np.array_equal(bare.flows.link, kept.flows.link)
    assert solve_equilibrium(problem, algorithm="bfw", gap=1e-3).route_count is None


def test_large_networks_store_compact_routes_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = grid()
    assert _Solver(problem).routes.steps.dtype == np.int32
    monkeypatch.setattr(_routes, "_COMPACT_NODES", problem.network.num_nodes)
    assert _Solver(problem).routes.steps.dtype == np.uint8
    assert _Solver(problem, compact=False).routes.steps.dtype == np.int32
