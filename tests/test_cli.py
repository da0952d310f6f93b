"""The command line: what users run, and what they see when their input is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.network import make_grid_network, write_tntp


@pytest.fixture(scope="module")
def grid_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nets") / "grid"
    grid = make_grid_network(12, num_zones=15, trips_per_zone=1500.0, seed=5, name="grid")
    write_tntp(
        folder,
        grid.network,
        origins=grid.origins,
        destinations=grid.destinations,
        volume=grid.volume,
    )
    return folder


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_assign_json(grid_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flows = tmp_path / "flows.csv"
    code, out, err = run(
        [
            "assign",
            "--tntp",
            str(grid_folder),
            "--gap",
            "1e-5",
            "--json",
            "--flows-out",
            str(flows),
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    for key in (
        "network",
        "algorithm",
        "converged",
        "relative_gap",
        "objective",
        "iterations",
        "seconds",
        "compile_seconds",
    ):
        assert key in result
    assert result["network"] == "grid"
    assert result["algorithm"] == "gp"
    assert result["converged"] is True
    assert result["relative_gap"] <= 1e-5
    assert len(result["convergence"]) == result["iterations"] + 1
    assert result["convergence"][-1]["relative_gap"] == result["relative_gap"]
    lines = flows.read_text().splitlines()
    assert lines[0] == "from,to,flow"
    assert len(lines) - 1 == result["links"]
    # Warm start from those flows: already converged, no iteration needed.
    code, out, _ = run(
        [
            "assign",
            "--tntp",
            str(grid_folder),
            "--gap",
            "1e-5",
            "--json",
            "--warm-start",
            str(flows),
        ],
        capsys,
    )
    assert code == 0
    warm = json.loads(out)
    assert warm["iterations"] == 0
    assert warm["relative_gap"] == pytest.approx(result["relative_gap"], rel=1e-9)


def test_assign_max_iter_exits_zero_unconverged(
    grid_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["assign", "--tntp", str(grid_folder), "--max-iter", "2", "--algorithm", "fw", "--json"],
        capsys,
    )
    assert code == 0
    result = json.loads(out)
    assert result["converged"] is False
    assert result["iterations"] == 2
    assert result["algorithm"] == "fw"


def test_assign_table(grid_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["assign", "--tntp", str(grid_folder), "--gap", "1e-4"], capsys)
    assert code == 0
    assert "Convergence" in out
    assert "converged after" in out


def bad(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_bad_arguments(
    grid_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "is not a folder" in bad(["assign", "--tntp", str(tmp_path / "nothing")], capsys)
    assert "--gap" in bad(["assign", "--tntp", str(grid_folder), "--gap", "-1"], capsys)
    assert "--gap" in bad(["assign", "--tntp", str(grid_folder), "--gap", "tight"], capsys)
    assert "--max-iter" in bad(["assign", "--tntp", str(grid_folder), "--max-iter", "-3"], capsys)
    assert "--gauss-seidel-until" in bad(
        ["assign", "--tntp", str(grid_folder), "--gauss-seidel-until", "2"], capsys
    )
    assert "unknown algorithm" in bad(
        ["assign", "--tntp", str(grid_folder), "--algorithm", "magic"], capsys
    )
    assert "--toll-factor" in bad(
        ["assign", "--tntp", str(grid_folder), "--toll-factor", "nan"], capsys
    )
    assert "--tntp" in bad(["assign"], capsys)
    assert "No such command" in bad(["fly"], capsys)
    assert "threads" in bad(["assign", "--tntp", str(grid_folder), "--threads", "999"], capsys)
    for option in ("--replications", "--months"):
        line = bad(["compare", option, "0", "--out", str(tmp_path / "out")], capsys)
        assert f"{option}: Input should be greater than or equal to 1" in line, line
    assert not (tmp_path / "out").exists()


def test_flows_out_into_missing_folder_writes_nothing(
    grid_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "flows.csv"
    assert "does not exist" in bad(
        ["assign", "--tntp", str(grid_folder), "--flows-out", str(target)], capsys
    )
    assert not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_net_file_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "broken_net.tntp").write_text(
        "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<END OF METADATA>\n1 3 10 1 1 0.15 4 0 0 1 ;\n3 2 ten 1 1 0.15 4 0 0 1 ;\n"
    )
    (folder / "broken_trips.tntp").write_text(
        "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n2 : 5;\n"
    )
    line = bad(["assign", "--tntp", str(folder)], capsys)
    assert "broken_net.tntp:5: capacity 'ten' is not a number" in line


def test_disconnected_demand_names_the_trips_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "islands"
    folder.mkdir()
    (folder / "islands_net.tntp").write_text(
        "<NUMBER OF ZONES> 3\n<NUMBER OF NODES> 3\n<END OF METADATA>\n1 2 10 1 1 0.15 4 0 0 1 ;\n2 1 10 1 1 0.15 4 0 0 1 ;\n"
    )
    (folder / "islands_trips.tntp").write_text(
        "<NUMBER OF ZONES> 3\n<END OF METADATA>\nOrigin 1\n2 : 5;\n3 : 7;\n"
    )
    line = bad(["assign", "--tntp", str(folder)], capsys)
    assert "islands_trips.tntp:5: demand from zone 1 to zone 3 but no path connects them" in line


def test_bad_warm_start_file(
    grid_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "warm.csv"
    flows.write_text("from,to,flow\n1,2,abc\n")
    assert "warm.csv" in bad(
        ["assign", "--tntp", str(grid_folder), "--warm-start", str(flows)], capsys
    )


def test_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "counterflow.cli", "assign", "--tntp", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith("counterflow: error: ")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.startswith("counterflow ")
    code, out, _ = run([], capsys)
    assert code == 0
    assert "assign" in out
