"""Any parameter values within the registry's bounds: ``compare`` ends, with results or one line.

Exploration samples the corners of every range; a future that hangs would stall an ensemble.
Hypothesis draws sets of parameters (often at their hard bounds) for a 2-month ``compare`` of
three strategies that use every kind of lever; each run must end within a time budget, either
with results or with one line on stderr (exit 1 or 2), never a traceback.
"""

from __future__ import annotations

import signal
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterflow.cli import main
from counterflow.scenario import builtin_scenario_path
from counterflow.scenario.parameters import PARAMETERS

BUDGET_SECONDS = 120  # per run; a normal 2-month run of these strategies takes a few seconds
STRATEGIES = ("status-quo", "combined-cooperative-package", "unilateral-drone-strikes")
KEYS = sorted(PARAMETERS)


@st.composite
def parameter_sets(draw: st.DrawFn) -> dict[str, float]:
    """A few parameters, each at a hard bound or anywhere between them."""
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique=True))
    values = {}
    for key in keys:
        spec = PARAMETERS[key]
        ends = st.sampled_from([spec.minimum, spec.maximum])
        inside = st.floats(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False)
        values[key] = draw(st.one_of(ends, inside))
    return values


def toml_value(value: float) -> str:
    return repr(float(value))


def scenario_text(parameters: dict[str, float]) -> str:
    lines = ['name = "extremes"', "months = 2", "replications = 1", "", "[parameters]"]
    lines += [f'"{key}" = {toml_value(value)}' for key, value in sorted(parameters.items())]
    text = "\n".join(lines) + "\n"
    source = builtin_scenario_path().read_text(encoding="utf-8")
    strategies = source[source.index("[[strategy]]") :]
    kept = [
        block
        for block in strategies.split("[[strategy]]")
        if block.strip() and tomllib.loads(block)["id"] in STRATEGIES
    ]
    assert len(kept) == len(STRATEGIES)
    return text + "\n" + "".join(f"[[strategy]]{block}" for block in kept)


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"compare ran past its {seconds} s budget")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(parameters=parameter_sets())
def test_any_parameters_within_bounds_end_with_results_or_one_line(
    parameters: dict[str, float],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        file = root / "extremes.toml"
        file.write_text(scenario_text(parameters), encoding="utf-8")
        out = root / "out"
        started = time.monotonic()
        errors = root / "stderr.txt"
        with alarm(BUDGET_SECONDS), errors.open("w") as sink, redirect_stderr(sink):
            code = main(["compare", str(file), "--out", str(out)])
        elapsed = time.monotonic() - started
        lines = errors.read_text().strip().splitlines()
        assert elapsed < BUDGET_SECONDS
        assert "Traceback" not in errors.read_text()
        if code == 0:
            assert (out / "results.csv").is_file()
        else:
            assert code in {1, 2}, (code, lines)
            failures = [
                line
                for line in lines
                if line.startswith(("counterflow: error", "counterflow: failed"))
            ]
            assert len(failures) == 1, lines
            assert not (out / "results.csv").exists()
