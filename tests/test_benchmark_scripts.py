"""The benchmark scripts: bad command lines get one line and exit 2 before any work; a short
scale run works end to end."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from _networks import REPO


@pytest.mark.parametrize(
    ("script", "arguments", "message"),
    [
        ("scale.py", ["--nodes", "400"], "--nodes 400: the grid must hold 500 zones"),
        ("scale.py", ["--gauss-seidel-until", "2"], "--gauss-seidel-until 2.0: give a gap"),
        ("sweeps_per_pass.py", ["--nodes", "100"], "--nodes 100: the grid must hold 500 zones"),
        ("sweeps_per_pass.py", ["--variants", "more"], "'more' is not a variant"),
        (
            "sweeps_per_pass.py",
            ["--variants", "gauss-seidel:share=2"],
            "'gauss-seidel:share=2' is not a variant",
        ),
        ("two_thread_shifts.py", ["--variants", "sync=0"], "'sync=0' is not a variant"),
        ("two_thread_shifts.py", ["--nodes", "100"], "--nodes 100: the grid must hold 500 zones"),
        ("sweep_order.py", ["--variants", "run=0"], "'run=0' is not a variant"),
        ("grid_load.py", ["--nodes", "100"], "--nodes 100: the grid must hold 500 zones"),
        ("route_store.py", ["--nodes", "100"], "--nodes 100: the grid must hold 500 zones"),
        ("route_store.py", ["--rounds", "0"], "--rounds 0: give an integer >= 1"),
        ("scale.py", ["--max-iter", "-1"], "--max-iter -1: give an integer >= 0"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(
    script: str, arguments: list[str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message in done.stderr.strip().splitlines()[-1]
    assert done.stdout == ""


def test_scale_reports_a_row_and_its_progress() -> None:
    """A short run prints its table row and, with --progress, one line per iteration."""
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "scale.py"),
            *("--nodes", "2500", "--max-iter", "2", "--gauss-seidel-until", "0", "--progress"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    row = done.stdout.strip().splitlines()[-1].split(" | ")
    assert row[0] == "| 2,500"
    assert row[4] == "gp, stopped at --max-iter"
    assert row[6] == "2"
    lines = re.findall(r"^2,500 nodes: iteration (\d+), (.*)$", done.stderr, re.MULTILINE)
    assert [number for number, _ in lines] == ["0", "1", "2"]
    assert all(re.search(r"peak [\d,]+ MiB", rest) for _, rest in lines)
    assert "(estimated)" in lines[0][1]
    assert "then gp gauss-seidel" in lines[0][1]
    assert "(estimated)" not in lines[-1][1]
    assert "then" not in lines[-1][1]
