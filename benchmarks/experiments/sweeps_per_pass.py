# Experiment (2026-11-26): how many sweeps should follow a tree pass? About 2; more do not pay.
"""Diagnosis of the scale grids' slow tail: how many sweeps should follow each tree pass.

Solves the 10,000-node grid of ``scale.py`` to gap 1e-4 with gradient projection several
ways and prints iterations (tree passes), sweeps and seconds for each:

* ``none``: one sweep per tree pass (the inner sweeps switched off);
* ``share=S``: inner sweeps until the restricted gap is at most ``S`` times the full gap's
  numerator (``SolverOptions(inner_share=S)``; the default is 0.25);
* ``gauss-seidel``: every pass builds its trees a few origins at a time between shifts (by
  default the solver does this only above gap 1e-2; ``SolverOptions(gauss_seidel_until=0)``);
  ``gauss-seidel:none`` and ``gauss-seidel:share=S`` combine it with the variants above.

If more sweeps per pass do not cut the number of passes, the balancing of known routes is not
what limits each pass. docs/performance.md (benchmarks/results/) has the figures.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/sweeps_per_pass.py --nodes 10000 \
        --variants none share=0.25 share=0.01
    PYTHONPATH=benchmarks python benchmarks/experiments/sweeps_per_pass.py --nodes 10000 \
        --variants gauss-seidel gauss-seidel:none
"""

from __future__ import annotations

from counterflow.assign import SolverOptions, solve_equilibrium
from counterflow.assign.gradient_projection import _Solver
from scale import print_variant, start_diagnosis

VARIANTS = ["none", "share=0.25", "share=0.05", "share=0.01", "gauss-seidel"]


def _no_inner_sweeps(
    self: _Solver,  # noqa: ARG001
    gap_numerator: float,  # noqa: ARG001
    share: float = 0.25,  # noqa: ARG001
    folded: float | None = None,
) -> int:
    """Stands in for ``_Solver.inner``: no sweeps beyond the one after each tree pass.

    (On pipelined passes, 50,000 nodes or more, that sweep is folded into the pass and counted.)
    """
    return 0 if folded is None else 1


def _share(variant: str) -> float:
    """The inner-sweep share of a variant (the solver's default where it sets none)."""
    base = variant.removeprefix("gauss-seidel:")
    if base == "none" or variant == "gauss-seidel":
        return 0.25
    try:
        share = float(base.removeprefix("share="))
    except ValueError:
        share = -1.0
    if not base.startswith("share=") or not 0.0 < share < 1.0:
        raise ValueError(
            f"--variants: {variant!r} is not a variant; give none, share=S with S in (0, 1), "
            "gauss-seidel, or gauss-seidel:none or gauss-seidel:share=S"
        )
    return share


def main() -> None:
    args, shares, problem = start_diagnosis(__doc__.splitlines()[0], VARIANTS, _share, "variant")
    inner = _Solver.inner
    for variant, share in zip(args.variants, shares, strict=True):
        gauss_seidel = variant.startswith("gauss-seidel")
        if variant.removeprefix("gauss-seidel:") == "none":
            _Solver.inner = _no_inner_sweeps  # type: ignore[method-assign]
        try:
            result = solve_equilibrium(
                problem,
                algorithm="gp",
                gap=args.gap,
                options=SolverOptions(inner_share=share)
                if not gauss_seidel
                else SolverOptions(inner_share=share, gauss_seidel_until=0.0),
            )
        finally:
            _Solver.inner = inner  # type: ignore[method-assign]
        print_variant(variant, result)


if __name__ == "__main__":
    main()
