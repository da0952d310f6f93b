"""What a comparison will cost before it runs: time, memory and output, estimated high.

``counterflow compare`` asks for ``--yes`` before a run whose estimate passes one of
:data:`LIMITS`, so that nobody starts a day-long run or fills a disk by a typo in
``--replications``. The estimate is built from figures measured on the built-in scenario
(below, each with where it was measured) and errs on the high side: a run costs at most about
what it says on the machine the figures come from, usually less.

A run's cost grows with two counts:

* **worlds**: the distinct monthly equilibria a strategy needs (splits, consent, cooperation
  level, supply; ``counterflow.model.worlds``), each solved about twice; replications of a
  strategy share them;
* **replication-months**: strategies × replications × months; each holds its tables in memory
  and writes rows into ``crossings.csv`` and ``regions.csv``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from counterflow.data import builtin_path
from counterflow.scenario import Scenario, Strategy

__all__ = ["LIMITS", "Cost", "CostLimits", "estimate_cost"]

# Figures measured on 2026-12-06 with the built-in mexico-2025 scenario (9 strategies, 24
# months, 20 replications: 4,320 replication-months) on the project's 2-core machine B, with
# other jobs running on it (load about 8): `counterflow compare` took 143 s, of which 128 s in
# 696 solves of 348 distinct worlds; 1 month × 1 replication took 4.4 s. On the same machine
# idle the whole built-in run takes 15-19 s (docs/performance.md), so these figures are about
# 8 times what an idle machine needs. Idle (machine B, same day, 8 strategies in-process): 331
# worlds in 662 solves took 8.5 s of solving and about 4 s of building and reading worlds,
# 0.04 s per world. The estimate takes 0.1 s: twice and a half the idle figure, so that a busy
# or slower machine stays within it without asking for --yes at ten times the real cost.
SECONDS_PER_WORLD = 0.1  # idle 0.04 s per world x 2.5 (0.37 s on the loaded machine)
SECONDS_PER_REPLICATION_MONTH = 0.004  # (143 - 128) s / 4,320 = 3.6 ms, rounded up
SECONDS_FIXED = 10.0  # start-up, preparation, the report: 4.4 s at 1 × 1, doubled
# Worlds per replication-month of a strategy with leadership removal: random splits make new
# worlds. Measured: unilateral-drone-strikes 209 worlds over 20 × 24 (0.44), 83 over 2 × 120
# (0.35); joint-capture-with-consent 98 over 20 × 24 (0.20). Rounded up to 0.5.
WORLDS_PER_REMOVAL_REPLICATION_MONTH = 0.5
# Without removals a strategy's worlds change only with cooperation and supply, at most once a
# month: measured at most 17 worlds over 24 months and the same 17 over 120 months; the
# estimate assumes one new world per month (plus the first).

# Peak resident memory (GNU time, %M) of `counterflow compare` on the same day and machine:
# 325 MB at 1 × 1 (9 replication-months), 492 MB at 24 months × 5 replications (1,080), 890
# MB for the built-in run (4,320): 131 to 156 kB more per replication-month.
MEMORY_FIXED_BYTES = 350e6  # 325 MB at 1 × 1, rounded up
MEMORY_PER_REPLICATION_MONTH_BYTES = 160e3  # the steeper slope, 156 kB, rounded up

# Output: rows per replication-month of each long CSV table times the bytes per row measured in
# the built-in run's files (crossings.csv 25,338,412 bytes / 181,691 rows = 139.5; regions.csv
# 10,260,810 / 138,240 = 74.2). crossings.csv drops rows that are zero everywhere (31% of the
# 583,200 were written); the estimate counts every one. The parquet tables took 0.16 kB per
# replication-month; report.html and the rest about 0.8 MB.
CROSSING_ROWS_PER_REPLICATION_MONTH = 135  # 45 crossings × 3 drugs in the built-in data
REGION_ROWS_PER_REPLICATION_MONTH = 32  # states
CROSSING_CSV_BYTES_PER_ROW = 140.0
REGION_CSV_BYTES_PER_ROW = 75.0
PARQUET_BYTES_PER_REPLICATION_MONTH = 200.0
OUTPUT_FIXED_BYTES = 1e6


@dataclass(frozen=True)
class CostLimits:
    """Above any of these a run asks for ``--yes``."""

    seconds: float = 3600.0  # an hour: longer than anyone waits at a terminal (assumption)
    memory_bytes: float = 4e9  # 4 GB: half the memory of a common 8 GB laptop (assumption)
    output_bytes: float = 1e9  # 1 GB on disk (assumption)


LIMITS = CostLimits()
"""The limits ``counterflow compare`` uses."""


@dataclass(frozen=True)
class Cost:
    """A run's estimated wall time, peak memory and size of its output folder."""

    seconds: float
    memory_bytes: float
    output_bytes: float

    def over(self, limits: CostLimits = LIMITS) -> list[str]:
        """The limits this cost passes, in words (``"1 h of time"``, ...); empty when none."""
        passed = []
        if self.seconds > limits.seconds:
            passed.append(f"{_duration(limits.seconds)} of time")
        if self.memory_bytes > limits.memory_bytes:
            passed.append(f"{_size(limits.memory_bytes)} of memory")
        if self.output_bytes > limits.output_bytes:
            passed.append(f"{_size(limits.output_bytes)} of output")
        return passed

    def describe(self) -> str:
        """``"up to about 2.5 h, 5.12 GB of memory and 1.2 GB of output"``."""
        return (
            f"up to about {_duration(self.seconds)}, {_size(self.memory_bytes)} of memory and "
            f"{_size(self.output_bytes)} of output"
        )


def estimate_cost(scenario: Scenario) -> Cost:
    """A high estimate of what ``compare(scenario)`` costs on a 2-core machine (see above).

    A dataset folder larger than the built-in one scales the figures: solve time with its
    edges × supply rows, table rows with its nodes (counted as lines of its CSV files); a
    smaller one is costed as the built-in one.
    """
    replication_months = scenario.replications * scenario.months
    runs = len(scenario.strategy) * replication_months
    worlds = sum(_worlds(strategy, scenario) for strategy in scenario.strategy)
    solve_scale, row_scale = _scales(scenario.network)
    seconds = (
        SECONDS_FIXED
        + worlds * SECONDS_PER_WORLD * solve_scale
        + runs * SECONDS_PER_REPLICATION_MONTH * row_scale
    )
    memory = MEMORY_FIXED_BYTES + runs * MEMORY_PER_REPLICATION_MONTH_BYTES * row_scale
    per_run_bytes = (
        CROSSING_ROWS_PER_REPLICATION_MONTH * CROSSING_CSV_BYTES_PER_ROW
        + REGION_ROWS_PER_REPLICATION_MONTH * REGION_CSV_BYTES_PER_ROW
        + PARQUET_BYTES_PER_REPLICATION_MONTH
    )
    output = OUTPUT_FIXED_BYTES + runs * per_run_bytes * row_scale
    return Cost(seconds=seconds, memory_bytes=memory, output_bytes=output)


def _worlds(strategy: Strategy, scenario: Scenario) -> float:
    """The distinct worlds a strategy may need over the scenario's replications and months."""
    replication_months = scenario.replications * scenario.months
    removal = strategy.levers.leadership_removal
    if removal is not None and removal.intensity > 0:
        bound = 1 + WORLDS_PER_REMOVAL_REPLICATION_MONTH * replication_months
    else:
        bound = 1 + scenario.months
    return min(bound, 1 + replication_months)


def _scales(network: str) -> tuple[float, float]:
    """Solve-time and row factors of a dataset folder against the built-in data (at least 1)."""
    if network.startswith("builtin:"):
        return 1.0, 1.0
    folder, builtin = Path(network), builtin_path("mexico")
    counts = {name: _lines(folder / name) for name in ("edges.csv", "supply.csv", "nodes.csv")}
    if any(count is None for count in counts.values()):
        return 1.0, 1.0  # the loader will say what is missing
    ours = {name: _lines(builtin / name) or 1 for name in counts}
    solve = (counts["edges.csv"] or 1) * (counts["supply.csv"] or 1)
    solve_scale = solve / (ours["edges.csv"] * ours["supply.csv"])
    row_scale = (counts["nodes.csv"] or 1) / ours["nodes.csv"]
    return max(1.0, solve_scale), max(1.0, row_scale)


def _lines(path: Path) -> int | None:
    """The number of lines of a file (``None`` if it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 90:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds)} s"


def _size(size_bytes: float) -> str:
    if size_bytes >= 1e9:
        return f"{size_bytes / 1e9:.3g} GB"
    return f"{math.ceil(size_bytes / 1e6)} MB"
