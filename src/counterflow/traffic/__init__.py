"""The trafficking model: builds an assignment problem from a world state and reads its flows."""

from counterflow.traffic.model import (
    DRUGS,
    ClassKey,
    StrategyWorld,
    build_world,
    control_shares,
    elastic_terms,
    enforcement_by_state,
)
from counterflow.traffic.network import TraffickingNetwork, build_trafficking_network
from counterflow.traffic.outcomes import MonthFlows, StateFlows, month_flows, state_flows

__all__ = [
    "DRUGS",
    "ClassKey",
    "MonthFlows",
    "StateFlows",
    "StrategyWorld",
    "TraffickingNetwork",
    "build_trafficking_network",
    "build_world",
    "control_shares",
    "elastic_terms",
    "enforcement_by_state",
    "month_flows",
    "state_flows",
]
