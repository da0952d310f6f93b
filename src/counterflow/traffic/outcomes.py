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
from counterflow.traffic.model import DRUGS, StrategyWorld
from counterflow.traffic.network import TraffickingNetwork

__all__ = ["MonthFlows", "StateFlows", "month_flows", "state_flows"]


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
    nodes = tnet.node_table
    ports = tnet.crossing[borders]
    crossing_columns = {
        "crossing_id": nodes["node_id"].to_numpy()[ports],
        "crossing_name": nodes["name"].to_numpy()[ports],
        "state_code": nodes["state_code"].to_numpy()[ports],
        "field_office": nodes["cbp_field_office"].to_numpy()[ports],
    }
    drug_rows = []
    crossing_frames = []
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
        crossing_frames.append(
            pd.DataFrame(
                {
                    **crossing_columns,
                    "commodity": drug,
                    "arriving_kg": arriving,
                    "seized_kg": seized,
                    "delivered_kg": arriving - seized,
                }
            )
        )
    crossings = pd.concat(crossing_frames, ignore_index=True)
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
