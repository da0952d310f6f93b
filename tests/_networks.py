"""Small networks the tests build themselves (no files from outside the repository)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from counterflow.assign import AssignmentProblem, ODPairs, TravelClass
from counterflow.network import LinkCosts, Network

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(os.environ.get("COUNTERFLOW_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))
TNTP = BENCHMARKS / "tntp"


def network(
    num_nodes: int,
    links: Sequence[tuple[int, int]],
    *,
    num_zones: int | None = None,
    zones_passable: bool = True,
) -> Network:
    """A network with the given 0-based links and neutral BPR attributes."""
    tail = np.array([a for a, _ in links], dtype=np.int64)
    head = np.array([b for _, b in links], dtype=np.int64)
    m = len(links)
    return Network(
        name="test",
        node_ids=np.arange(1, num_nodes + 1),
        num_zones=num_nodes if num_zones is None else num_zones,
        zones_passable=zones_passable,
        tail=tail,
        head=head,
        capacity=np.ones(m),
        length=np.ones(m),
        free_flow_time=np.ones(m),
        b=np.zeros(m),
        power=np.ones(m),
        toll=np.zeros(m),
        link_type=np.ones(m, dtype=np.int64),
    )


def affine_costs(base: Sequence[float], slope: Sequence[float]) -> LinkCosts:
    """Link costs ``base + slope * x``."""
    n = len(base)
    return LinkCosts(
        base=np.asarray(base, dtype=float),
        coef=np.asarray(slope, dtype=float),
        capacity=np.ones(n),
        power=np.ones(n),
    )


def travel_class(
    num_links: int,
    pairs: Sequence[tuple[int, int, float]],
    *,
    name: str = "c",
    fixed: Sequence[float] | None = None,
    own_cost: float = 0.0,
    abstain_base: Sequence[float] | None = None,
    abstain_slope: Sequence[float] | None = None,
) -> TravelClass:
    """A class; pairs are (origin, destination, volume), abstain arrays in the same order."""
    order = sorted(range(len(pairs)), key=lambda i: (pairs[i][0], pairs[i][1]))
    demand = ODPairs.from_arrays(
        np.array([pairs[i][0] for i in order]),
        np.array([pairs[i][1] for i in order]),
        np.array([pairs[i][2] for i in order], dtype=float),
    )
    assert demand.num_pairs == len(pairs), "give distinct pairs with positive volume"
    return TravelClass(
        name=name,
        demand=demand,
        fixed_cost=np.zeros(num_links) if fixed is None else np.asarray(fixed, dtype=float),
        own_cost=own_cost,
        abstain_base=None
        if abstain_base is None
        else np.asarray([abstain_base[i] for i in order], dtype=float),
        abstain_slope=None
        if abstain_slope is None
        else np.asarray([abstain_slope[i] for i in order], dtype=float),
    )


def braess(*, bridge: bool) -> AssignmentProblem:
    """Braess (1968) in the textbook numbers: 6 units from s to t.

    Nodes s=0, a=1, b=2, t=3; s->a costs 10x, a->t 50+x, s->b 50+x, b->t 10x, bridge a->b 10+x.
    """
    links = [(0, 1), (1, 3), (0, 2), (2, 3)]
    base, slope = [0.0, 50.0, 50.0, 0.0], [10.0, 1.0, 1.0, 10.0]
    if bridge:
        links.append((1, 2))
        base.append(10.0)
        slope.append(1.0)
    net = network(4, links)
    return AssignmentProblem(
        network=net,
        costs=affine_costs(base, slope),
        classes=(travel_class(len(links), [(0, 3, 6.0)]),),
    )


def elastic_braess() -> AssignmentProblem:
    """Braess with the bridge and three elastic pairs (s-t, s-a, b-t), each with an abstain link."""
    problem = braess(bridge=True)
    return AssignmentProblem(
        network=problem.network,
        costs=problem.costs,
        classes=(
            travel_class(
                5,
                [(0, 3, 6.0), (0, 1, 3.0), (2, 3, 4.0)],
                abstain_base=[20.0, 0.0, 5.0],
                abstain_slope=[15.0, 10.0, 2.0],
            ),
        ),
    )
