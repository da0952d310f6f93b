# Experiment (2026-11-26): in what order should sweeps visit the pairs? Runs of 8, shuffled.
"""In what order gradient projection's sweeps should visit the pairs, on the scale grids.

Solves the 10,000-node grid of ``scale.py`` to gap 1e-4 several ways and prints iterations
(tree passes), sweeps and seconds for each:

* ``index``: pairs in index order, one origin's pairs after another (the order before
  2026-11-26);
* ``run=N``: pairs cut in runs of ``N`` consecutive pairs, the runs in a random order drawn
  afresh for every sweep (the solver's default is ``run=8``; ``run=1`` shuffles every pair).

See docs/performance.md and benchmarks/results/ for the figures.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/sweep_order.py --nodes 10000 \
        --variants index run=1 run=8 run=64 run=256
"""

from __future__ import annotations

from counterflow.assign import gradient_projection as gp
from counterflow.assign import solve_equilibrium
from scale import counted_variant, print_variant, start_diagnosis

VARIANTS = ["index", "run=1", "run=8", "run=64", "run=256"]
_INDEX_ORDER = 1 << 62  # one run longer than any pair count: the pairs' own order


def _run(variant: str) -> int:
    """The run length of a variant."""
    return counted_variant(variant, "run", {"index": _INDEX_ORDER})


def main() -> None:
    args, runs, problem = start_diagnosis(__doc__.splitlines()[0], VARIANTS, _run, "order")
    default = gp._ORDER_RUN  # noqa: SLF001 (a diagnosis of the solver's internals)
    for variant, run in zip(args.variants, runs, strict=True):
        gp._ORDER_RUN = run  # noqa: SLF001
        try:
            result = solve_equilibrium(problem, algorithm="gp", gap=args.gap)
        finally:
            gp._ORDER_RUN = default  # noqa: SLF001
        print_variant(variant, result)


if __name__ == "__main__":
    main()
