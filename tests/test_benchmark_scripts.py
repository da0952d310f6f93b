"""The benchmark scripts: bad command lines get one line and exit 2 before any work; a short
scale run works end to end. (The scripts of ``benchmarks/experiments/`` are not checked here:
each answered one past question and is kept to rerun, not maintained with the engine.)"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _networks import REPO
from counterflow.assign import PathFlows, decode_paths


@pytest.mark.parametrize(
    ("script", "arguments", "message"),
    [
        ("scale.py", ["--nodes", "400"], "--nodes 400: the grid must hold 500 zones"),
        ("scale.py", ["--gauss-seidel-until", "2"], "--gauss-seidel-until 2.0: give a gap"),
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


def run_scale(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "scale.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_scale_saves_its_routes_when_time_is_up_and_resumes_from_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A solve in two segments: the first stops cleanly and saves, the second adds up."""
    saved = tmp_path / "routes.npz"
    common = ("--nodes", "2500", "--gauss-seidel-until", "0", "--save-routes", str(saved))
    first = run_scale(*common, "--max-seconds", "0.001")
    assert first.returncode == 0, first.stderr
    row = first.stdout.strip().splitlines()[-1].split(" | ")
    assert row[4] == "gp, stopped at --max-seconds"
    assert row[6] == "0"  # the first pass's iteration, evaluated exactly, then stopped
    assert saved.is_file()
    assert not list(tmp_path.glob("*.part"))
    with np.load(saved) as routes:  # saved as one-byte route steps
        assert bool(routes["compact"])
        assert routes["store"].dtype == np.uint8

    second = run_scale(
        *common, "--resume", str(saved), "--max-seconds", "600", "--gap", "1e-3", "--progress"
    )
    assert second.returncode == 0, second.stderr
    row = second.stdout.strip().splitlines()[-1].split(" | ")
    assert row[4] == "gp, 2 segments"
    assert int(row[6]) >= 1
    assert float(row[7]) <= 1e-3
    assert float(row[5]) > float(first.stdout.strip().splitlines()[-1].split(" | ")[5])
    assert "peak memory of each segment's solve: " in second.stderr

    # A file of int32 link ids (as saved before steps were) resumes to the same bits.
    spec = importlib.util.spec_from_file_location("scale", REPO / "benchmarks" / "scale.py")
    assert spec is not None
    assert spec.loader is not None
    scale = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "scale", scale)  # its dataclasses look it up
    spec.loader.exec_module(scale)
    _, problem = scale.scaled_grid(2500)
    with np.load(saved) as routes:
        members = {name: routes[name] for name in routes.files if name != "compact"}
        steps = PathFlows(
            **{name: members[name] for name in members if name != "segments"}, compact=True
        )
    members["store"] = decode_paths(problem, steps).store
    legacy = tmp_path / "legacy.npz"
    np.savez(legacy, **members)
    third = run_scale(
        "--nodes", "2500", "--gauss-seidel-until", "0", "--resume", str(legacy),
        "--max-seconds", "600", "--gap", "1e-3",
    )  # fmt: skip
    assert third.returncode == 0, third.stderr
    assert third.stdout.strip().splitlines()[-1].split(" | ")[6:8] == row[6:8]

    wrong = run_scale("--nodes", "3000", "--resume", str(saved))
    assert wrong.returncode == 2
    assert "saved for 2,500 nodes, not 3,000; pass --nodes 2500" in wrong.stderr
    assert "Traceback" not in wrong.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--resume", "{tmp}/none.npz"], "none.npz: no such file"),
        (["--resume", "{tmp}/text.npz"], "text.npz: not a file --save-routes wrote"),
        (["--resume", "{tmp}/packed.npz"], "packed.npz: not a file --save-routes wrote"),
        (["--save-routes", "{tmp}/no/such/routes.npz"], "no folder"),
        (
            ["--nodes", "2500", "10000", "--save-routes", "{tmp}/r.npz"],
            "give one --nodes size and the gp algorithm",
        ),
        (
            ["--algorithm", "bfw", "--save-routes", "{tmp}/r.npz"],
            "give one --nodes size and the gp algorithm",
        ),
    ],
)
def test_bad_checkpoint_arguments_exit_2_with_one_line(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    (tmp_path / "text.npz").write_text("not an archive\n")
    # An archive of the right members, compressed: its routes cannot be mapped from the file.
    np.savez_compressed(tmp_path / "packed.npz", store=np.zeros(4, dtype=np.int32))
    done = run_scale(
        *(["--nodes", "2500"] if "--nodes" not in arguments else []),
        *(argument.format(tmp=tmp_path) for argument in arguments),
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message in done.stderr.strip().splitlines()[-1]
    assert done.stdout == ""
    assert not list(tmp_path.rglob("r.npz*"))


def test_the_audit_fails_on_a_vulnerability_and_skips_without_a_database() -> None:
    spec = importlib.util.spec_from_file_location("audit", REPO / "scripts" / "audit.py")
    assert spec is not None
    assert spec.loader is not None
    audit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    unknown = {"name": "a", "skip_reason": "Dependency not found on PyPI"}
    clean = {"name": "b", "version": "1.0", "vulns": []}
    bad = {"name": "c", "version": "2.0", "vulns": [{"id": "PYSEC-0000-1"}]}
    code, lines = audit.verdict([unknown, unknown])
    assert code == 0
    assert lines[0].startswith("audit skipped")
    assert audit.verdict([unknown, clean]) == (
        0,
        ["audit: no known vulnerabilities in 1 packages (1 not in the database)"],
    )
    code, lines = audit.verdict([clean, bad])
    assert code == 1
    assert "c 2.0: PYSEC-0000-1" in lines[0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--futures", "0"], "--futures 0: give at least 1"),
        (["--executors", "serial,threads"], "--executors: unknown 'threads'"),
        (["--strategies", "no-such-strategy"], "--strategies: unknown no-such-strategy"),
        (["--ranking", "5", "--gaps", "1e-5,fine"], "--gaps 1e-5,fine: give relative gaps"),
    ],
)
def test_ensemble_bad_command_lines_exit_2_with_one_line(
    arguments: list[str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "ensemble.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message in done.stderr.strip().splitlines()[-1]
    assert done.stdout == ""
