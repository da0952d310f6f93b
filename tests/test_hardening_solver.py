"""No solve runs forever; numbers out of scale get one line (issue 32, items 1 and 5).

Every test that could hang on the code before these guards runs under a deadline
(:func:`deadline`): a solve that loops on NaN fails the test instead of stalling the suite.
"""

from __future__ import annotations

import dataclasses
import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from counterflow.assign import compile_kernels, single_class_problem, solve_equilibrium
from counterflow.cli import main
from counterflow.errors import InvalidParameterError, NumericalError, SolverError
from counterflow.model import prepare, simulate
from counterflow.model.context import Context
from counterflow.network import Network, make_grid_network
from counterflow.scenario import builtin_scenario_path, load_scenario

SECONDS = 60.0  # far above what any test here takes once the kernels are compiled


@contextmanager
def deadline(seconds: float = SECONDS) -> Iterator[None]:
    """Raise :class:`TimeoutError` in the block once ``seconds`` have passed."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: it would never end")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """Compile (or load) the kernels before any deadline starts."""
    compile_kernels()


def two_routes(capacity: float = 100.0) -> Network:
    """Nodes 1, 2 (zones) and 3: the route 1-3-2 (first link's capacity given) or 1-2."""
    tail = np.array([0, 2, 0], dtype=np.int64)
    head = np.array([2, 1, 1], dtype=np.int64)
    return Network(
        name="two-routes",
        node_ids=np.arange(1, 4, dtype=np.int64),
        num_zones=2,
        zones_passable=True,
        tail=tail,
        head=head,
        capacity=np.array([capacity, 100.0, 100.0]),
        length=np.ones(3),
        free_flow_time=np.array([1.0, 1.0, 5.0]),
        b=np.full(3, 0.15),
        power=np.full(3, 4.0),
        toll=np.zeros(3),
        link_type=np.ones(3, dtype=np.int64),
    )


# -- the engine: a cost that overflows stops every algorithm at once ------------------------


@pytest.mark.parametrize("algorithm", ["gp", "fw", "cfw", "bfw", "aon"])
def test_overflowing_costs_stop_every_algorithm(algorithm: str) -> None:
    problem = single_class_problem(
        two_routes(capacity=1e-300), np.array([0]), np.array([1]), np.array([10.0])
    )
    with deadline(), pytest.raises(NumericalError, match=f"^{algorithm}: the .* is (inf|nan)"):
        solve_equilibrium(problem, algorithm=algorithm, gap=1e-6)


def test_overflow_is_not_reported_as_a_missing_path() -> None:
    problem = single_class_problem(two_routes(), np.array([0]), np.array([1]), np.array([1e200]))
    with deadline(), pytest.raises(NumericalError, match="out of scale"):
        solve_equilibrium(problem, algorithm="fw", gap=1e-6)


# -- TNTP files: numbers out of scale are refused when read, with the file and line ----------

NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> {nodes}
<FIRST THRU NODE> 1
<NUMBER OF LINKS> 3
<END OF METADATA>
~ init term capacity length fft b power speed toll type ;
1 3 {capacity} 1 1 0.15 4 0 {toll} 1 ;
3 2 100 1 1 0.15 4 0 0 1 ;
1 2 100 1 5 0.15 {power} 0 0 1 ;
"""
TRIPS = """<NUMBER OF ZONES> 2
<END OF METADATA>
Origin 1
    2 : {volume};
"""


def tntp_folder(
    tmp_path: Path,
    *,
    nodes: str = "3",
    capacity: str = "100",
    toll: str = "0",
    power: str = "4",
    volume: str = "10.0",
    best: list[float] | None = None,
) -> Path:
    folder = tmp_path / "net"
    folder.mkdir()
    text = NET.format(nodes=nodes, capacity=capacity, toll=toll, power=power)
    (folder / "net_net.tntp").write_text(text)
    (folder / "net_trips.tntp").write_text(TRIPS.format(volume=volume))
    if best is not None:
        rows = [
            f"{a} {b} {flow!r}" for (a, b), flow in zip([(1, 3), (3, 2), (1, 2)], best, strict=True)
        ]
        (folder / "net_flow.tntp").write_text("From To Volume\n" + "\n".join(rows) + "\n")
    return folder


def one_line_error(capsys: pytest.CaptureFixture[str], args: list[str], code: int = 2) -> str:
    with deadline():
        assert main(args) == code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_tntp_capacity_near_zero_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tntp_folder(tmp_path, capacity="1e-300")
    line = one_line_error(capsys, ["assign", "--tntp", str(folder)])
    assert f"{folder / 'net_net.tntp'}:7: " in line
    assert "overflow" in line


def test_tntp_huge_demand_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tntp_folder(tmp_path, volume="1e200")
    line = one_line_error(capsys, ["assign", "--tntp", str(folder)])
    assert f"{folder / 'net_trips.tntp'}:4: " in line
    assert "out of scale" in line


def test_tntp_header_claiming_two_billion_nodes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tntp_folder(tmp_path, nodes="2000000000")
    line = one_line_error(capsys, ["assign", "--tntp", str(folder)])
    assert f"{folder / 'net_net.tntp'}:2: " in line
    assert "NUMBER OF NODES" in line


def test_warm_start_flows_out_of_scale_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tntp_folder(tmp_path)
    flows = tmp_path / "flows.csv"
    flows.write_text("from,to,flow\n1,3,1e300\n3,2,1e300\n1,2,0\n")
    line = one_line_error(
        capsys, ["assign", "--tntp", str(folder), "--warm-start", str(flows), "--algorithm", "fw"]
    )
    assert f"{flows}:2: " in line


def test_cost_weights_that_overflow_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tntp_folder(tmp_path, toll="1e10")
    line = one_line_error(capsys, ["assign", "--tntp", str(folder), "--toll-factor", "1e300"])
    assert line.startswith("counterflow: error: --toll-factor: ")


# -- assign --json: JSON has no NaN or infinity -----------------------------------------------


@pytest.mark.parametrize(
    ("best", "power"),
    [([0.0, 0.0, 0.0], "4"), ([0.0, 0.0, 1e15], "40")],
    ids=["best-known-objective-zero", "best-known-objective-infinite"],
)
def test_assign_json_never_crashes_on_a_number_that_is_not_finite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], best: list[float], power: str
) -> None:
    folder = tntp_folder(tmp_path, best=best, power=power)
    with deadline():
        assert main(["assign", "--tntp", str(folder), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["converged"]
    assert summary["objective_excess"] is None
    with deadline():
        assert main(["assign", "--tntp", str(folder)]) == 0
    assert "Traceback" not in capsys.readouterr().err


# -- generated grids: a side out of reach is refused ------------------------------------------


def test_grid_side_out_of_reach_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="side = 100000"):
        make_grid_network(100_000)


# -- compare: every solve has a budget of iterations and seconds ------------------------------


def test_compare_budget_breach_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = builtin_scenario_path().read_text(encoding="utf-8")
    scenario = tmp_path / "tight.toml"
    scenario.write_text(text.replace("[parameters]", '[parameters]\n"solver.max_iterations" = 1'))
    out = tmp_path / "out"
    args = ["compare", str(scenario), "--months", "1", "--replications", "1", "--out", str(out)]
    with deadline():
        assert main(args) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    (line,) = [text for text in captured.err.splitlines() if text.startswith("counterflow:")]
    assert line.startswith("counterflow: failed: the status quo")
    assert "relative gap" in line
    assert "solver.max_iterations = 1" in line
    assert not out.exists()


@pytest.fixture(scope="module")
def context() -> Context:
    return prepare(load_scenario().model_copy(update={"months": 2}))


@pytest.mark.parametrize(
    ("key", "value"), [("solver.max_iterations", 1.0), ("solver.max_seconds", 1e-6)]
)
def test_month_budget_breach_names_strategy_month_and_gap(
    context: Context, key: str, value: float
) -> None:
    tight = dataclasses.replace(context, parameters={**context.parameters, key: value})
    strategy = context.scenario.get_strategy("cooperative-interdiction")
    with deadline(), pytest.raises(SolverError) as caught:
        simulate(tight, strategy)
    message = str(caught.value)
    assert message.startswith("strategy 'cooperative-interdiction', month 1: ")
    assert "relative gap" in message
    assert f"{key} = {value:g}" in message
    assert "\n" not in message
