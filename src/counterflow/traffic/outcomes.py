"""What a month's equilibrium means in kg: shipped, seized in Mexico and at US ports, delivered.

Flows are attempted kg, conserved along paths (DESIGN.md). Mexican seizures are
``sum_a h_a x_a`` over roads. At a crossing the seizure probability is
``q = min(q_max, h (1 + alpha (X / kappa)^beta))``; it applies to the kg that arrive there,
which are the attempted kg less the drug's Mexican seizures spread over crossings in proportion
to their attempted flow. Hence per drug, exactly::

    delivered = shipped - seized in Mexico - seized at US ports
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.assign import AssignmentResult
from counterflow.traffic.market import PairMarket
from counterflow.traffic.model import DRUGS, ClassKey, StrategyWorld
from counterflow.traffic.network import TraffickingNetwork

__all__ = [
    "MonthFlows",
    "StateFlows",
    "border_price_shift",
    "class_loss_shares",
    "loss_shares",
    "month_flows",
    "state_flows",
]


@dataclass(frozen=True)
class MonthFlows:
    """One month's totals per drug and the kg at each crossing.

    Attributes:
        by_drug: Rows per drug: ``shipped_kg, abstained_kg, seized_kg_mexico,
            seized_kg_us_ports, delivered_kg``.
        crossings: Rows per (crossing, drug): ``crossing_id, crossing_name, state_code,
            field_office, commodity, arriving_kg, seized_kg, delivered_kg``.
    """

    by_drug: pd.DataFrame
    crossings: pd.DataFrame


def month_flows(
    tnet: TraffickingNetwork, world: StrategyWorld, result: AssignmentResult
) -> MonthFlows:
    """Turn an equilibrium into kg shipped, seized and delivered (per drug and crossing)."""
    flows = result.flows
    total = flows.total
    borders = np.flatnonzero(tnet.kind == "border")
    visibility = np.zeros_like(total)
    ratio = total[borders] / world.capacity_kg[borders]
    visibility[borders] = world.alpha * ratio**world.beta
    offsets = world.problem.pair_offsets
    drug_rows = []
    kg: dict[str, list[NDArray[np.float64]]] = {"arriving_kg": [], "seized_kg": []}
    for drug in DRUGS:
        members = [k for k, key in enumerate(world.classes) if key.drug == drug]
        x = np.zeros_like(total)
        shipped = abstained = 0.0
        for k in members:
            x += flows.link[k]
            potential = world.problem.classes[k].demand.volume
            left_out = flows.abstain[offsets[k] : offsets[k + 1]]
            shipped += float(np.sum(potential - left_out))
            abstained += float(np.sum(left_out))
        seized_mexico = float(np.sum(world.road_hazard * x))
        arriving_share = 1.0 - seized_mexico / shipped if shipped > 0 else 0.0
        q = np.minimum(world.q_max, world.port_hazard[drug] * (1.0 + visibility))
        arriving = x[borders] * arriving_share
        seized = q[borders] * arriving
        drug_rows.append(
            {
                "drug": drug,
                "shipped_kg": shipped,
                "abstained_kg": abstained,
                "seized_kg_mexico": seized_mexico,
                "seized_kg_us_ports": float(seized.sum()),
                "delivered_kg": shipped - seized_mexico - float(seized.sum()),
            }
        )
        kg["arriving_kg"].append(arriving)
        kg["seized_kg"].append(seized)
    arriving_all = np.concatenate(kg["arriving_kg"])
    seized_all = np.concatenate(kg["seized_kg"])
    crossings = pd.DataFrame(
        {
            **{name: np.tile(column, len(DRUGS)) for name, column in tnet.port_columns.items()},
            "commodity": np.repeat(np.array(DRUGS, dtype=object), borders.size),
            "arriving_kg": arriving_all,
            "seized_kg": seized_all,
            "delivered_kg": arriving_all - seized_all,
        }
    )
    # One row per (crossing, drug), crossings in link order within each drug.
    return MonthFlows(by_drug=pd.DataFrame(drug_rows), crossings=crossings)


@dataclass(frozen=True)
class StateFlows:
    """Per state (in ``states`` order), kg on its road links and the contested part of them.

    A link counts half in each of its ends' states (as the tolls do), so a state's kg are
    summed over its links: a kg that crosses three links of a state counts three times
    (DESIGN.md, "Violence": ``sum_k x_a^k (1 - share_{o(k),s})`` over links in state s).
    """

    states: tuple[str, ...]
    flow_kg: NDArray[np.float64]
    contested_kg: NDArray[np.float64]


def state_flows(
    tnet: TraffickingNetwork,
    world: StrategyWorld,
    result: AssignmentResult,
    shares: dict[str, dict[str, float]],
    states: tuple[str, ...],
) -> StateFlows:
    """Kg and contested kg per state on the road links (all drugs)."""
    roads = tnet.kind == "road"
    weight = np.zeros((tnet.network.num_links, len(states)))
    for i, state in enumerate(states):
        ends = (tnet.state_a == state).astype(float) + (tnet.state_b == state).astype(float)
        weight[:, i] = 0.5 * ends * roads  # 1 for a link inside the state, 1/2 across a line
    flow = np.zeros(len(states))
    contested = np.zeros(len(states))
    for k, key in enumerate(world.classes):
        kg = result.flows.link[k] @ weight
        own = shares.get(key.org, {})
        flow += kg
        contested += kg * (1.0 - np.array([own.get(state, 0.0) for state in states]))
    return StateFlows(states, flow, contested)


def class_loss_shares(world: StrategyWorld, result: AssignmentResult) -> NDArray[np.float64]:
    """Per class, the share of its shipped kg seized in Mexico or at a US port.

    The class's kg arriving at crossings are its link flows there less its Mexican seizures
    spread over its crossings in proportion (as :func:`month_flows` does per drug).
    """
    flows = result.flows
    offsets = world.problem.pair_offsets
    shipped = np.array(
        [
            float(
                np.sum(
                    world.problem.classes[k].demand.volume
                    - flows.abstain[offsets[k] : offsets[k + 1]]
                )
            )
            for k in range(len(world.classes))
        ]
    )
    return loss_shares(
        world, [flows.link[k] for k in range(len(world.classes))], shipped, flows.total
    )


def loss_shares(
    world: StrategyWorld,
    link_kg: list[NDArray[np.float64]],
    shipped_kg: NDArray[np.float64],
    total_kg: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per class, the share seized of ``shipped_kg`` with these class and total link flows."""
    borders = world.border_links
    ratio = np.where(borders, total_kg / world.capacity_kg, 0.0)
    visibility = np.where(borders, world.alpha * ratio**world.beta, 0.0)
    shares = np.zeros(len(world.classes))
    for k, key in enumerate(world.classes):
        x = link_kg[k]
        shipped = float(shipped_kg[k])
        if shipped <= 0.0:
            continue
        mexico = float(np.sum(world.road_hazard * x))
        q = np.minimum(world.q_max, world.port_hazard[key.drug] * (1.0 + visibility))
        ports = float(np.sum(q * x)) * (1.0 - mexico / shipped)
        shares[k] = (mexico + ports) / shipped
    return shares


def border_price_shift(
    world: StrategyWorld, result: AssignmentResult, markets: dict[ClassKey, PairMarket]
) -> dict[str, float]:
    """Per drug, the border price's change from the status quo (USD per kg).

    Each pair's price signal is its least route cost, or its scarcity price when a supply cap
    binds (the abstain link's cost at zero abstention); the change against the pair's status-quo
    least cost is weighted by the kg shipped and converted to USD with the border value
    (:mod:`counterflow.traffic.market`).
    """
    offsets = world.problem.pair_offsets
    weighted: dict[str, float] = {}
    shipped_by_drug: dict[str, float] = {}
    for k, key in enumerate(world.classes):
        pairs = slice(offsets[k], offsets[k + 1])
        travel = world.problem.classes[k]
        signal = result.pair_cost[pairs]
        if travel.abstain_base is not None:
            signal = np.maximum(signal, travel.abstain_base)
        shipped = travel.demand.volume - result.flows.abstain[pairs]
        change = world.border_value[key.drug] * (signal - markets[key].least_cost)
        weighted[key.drug] = weighted.get(key.drug, 0.0) + float(np.sum(shipped * change))
        shipped_by_drug[key.drug] = shipped_by_drug.get(key.drug, 0.0) + float(shipped.sum())
    return {
        drug: weighted[drug] / shipped_by_drug[drug] if shipped_by_drug[drug] > 0 else 0.0
        for drug in weighted
    }
