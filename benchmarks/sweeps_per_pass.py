"""Diagnosis of the scale grids' slow tail: how many sweeps should follow each tree pass.

Solves the 10,000-node grid of ``scale.py`` to gap 1e-4 with gradient projection several
ways and prints iterations (tree passes), sweeps and seconds for each:

* ``none``: one sweep per tree pass (the inner sweeps switched off);
* ``share=S``: inner sweeps until the restricted gap is at most ``S`` times the full gap's
  numerator (``solve_equilibrium(..., inner_share=S)``; the default is 0.25);
* ``gauss-seidel``: every pass builds its trees a few origins at a time between shifts (the
  solver does this only above gap 1e-2).

If more sweeps per pass do not cut the number of passes, the balancing of known routes is not
what limits each pass. The README's Scale section has the figures, measured with the pairs in
index order (before the shuffled order of ``sweep_order.py``).

Usage:
    python benchmarks/sweeps_per_pass.py --nodes 10000 --variants none share=0.25 share=0.01
"""

from __future__ import annotations

import argparse

from counterflow.assign import compile_kernels, solve_equilibrium
from counterflow.assign import gradient_projection as gp
from counterflow.assign.gradient_projection import _Solver
from scale import scaled_grid

VARIANTS = ["none", "share=0.25", "share=0.05", "share=0.01", "gauss-seidel"]


def _no_inner_sweeps(solver: _Solver, gap_numerator: float, share: float = 0.25) -> int:  # noqa: ARG001
    """Stands in for ``_Solver.inner``: no sweeps beyond the one after each tree pass."""
    return 0


def _share(variant: str) -> float:
    """The inner-sweep share of a variant (the solver's default where it sets none)."""
    if variant in ("none", "gauss-seidel"):
        return 0.25
    try:
        share = float(variant.removeprefix("share="))
    except ValueError:
        share = -1.0
    if not variant.startswith("share=") or not 0.0 < share < 1.0:
        raise ValueError(
            f"--variants: {variant!r} is not a variant; give none, gauss-seidel or share=S "
            "with S in (0, 1)"
        )
    return share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--variants", nargs="+", default=VARIANTS)
    args = parser.parse_args()
    try:  # bad input fails before any work
        shares = [_share(variant) for variant in args.variants]
    except ValueError as error:
        parser.error(str(error))
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    inner = _Solver.inner
    until = gp._GAUSS_SEIDEL_UNTIL  # noqa: SLF001 (a diagnosis of the solver's internals)
    print("| variant | iterations | sweeps | seconds | relative gap |")
    print("|---|---:|---:|---:|---:|")
    for variant, share in zip(args.variants, shares, strict=True):
        if variant == "none":
            _Solver.inner = _no_inner_sweeps  # type: ignore[method-assign]
        elif variant == "gauss-seidel":
            gp._GAUSS_SEIDEL_UNTIL = 0.0  # noqa: SLF001
        try:
            result = solve_equilibrium(problem, algorithm="gp", gap=args.gap, inner_share=share)
        finally:
            _Solver.inner = inner  # type: ignore[method-assign]
            gp._GAUSS_SEIDEL_UNTIL = until  # noqa: SLF001
        sweeps = sum(
            int(record.direction.split(", ")[1].split()[0])
            for record in result.history
            if record.direction
        )
        print(
            f"| {variant} | {result.iterations} | {sweeps} | {result.seconds:.1f} | "
            f"{result.relative_gap:.2e} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
