# Experiment (2026-11-26): how congested are the scale grids at free flow? More as they grow.
"""How congested the scale grids of ``scale.py`` are at free flow, size by size.

``scale.py`` scales the demand so that the all-or-nothing load at free-flow times has a mean
volume/capacity ratio of 1.0 over all links. With the same 500 zones on a larger grid that
load uses a smaller share of the links, so those it uses carry more. For each size this
prints the share of links the load uses and the v/c ratios on them. The figures are in
docs/performance.md and benchmarks/results/.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/grid_load.py \
        --nodes 10000 30000 100000 1000000
"""

from __future__ import annotations

import argparse

import numpy as np

from counterflow.assign import compile_kernels
from counterflow.assign.loading import all_or_nothing
from scale import check_nodes, scaled_grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", nargs="+", type=int, default=[10_000, 100_000])
    args = parser.parse_args()
    check_nodes(parser, args.nodes)
    compile_kernels()
    print(
        "| nodes | links | links loaded | mean v/c, all links | mean v/c, loaded links | "
        "median | 90th percentile | max |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for nodes in args.nodes:
        grid, problem = scaled_grid(nodes)
        network = grid.network
        free_flow = np.asarray(network.free_flow_time)[None, :]
        loaded, _ = all_or_nothing(problem, free_flow, np.full(problem.num_pairs, np.inf))
        ratio = loaded.total / np.asarray(network.capacity)
        used = ratio[ratio > 0]
        print(
            f"| {network.num_nodes:,} | {network.num_links:,} | {used.size / ratio.size:.0%} | "
            f"{ratio.mean():.2f} | {used.mean():.2f} | {np.median(used):.2f} | "
            f"{np.quantile(used, 0.9):.2f} | {used.max():.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
