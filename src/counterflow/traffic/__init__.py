"""The trafficking model: builds an assignment problem from a world state and reads its flows."""

from counterflow.traffic.model import DRUGS, ClassKey, StrategyWorld, build_world, elastic_terms
from counterflow.traffic.network import TraffickingNetwork, build_trafficking_network
from counterflow.traffic.outcomes import MonthFlows, month_flows

__all__ = [
    "DRUGS",
    "ClassKey",
    "MonthFlows",
    "StrategyWorld",
    "TraffickingNetwork",
    "build_trafficking_network",
    "build_world",
    "elastic_terms",
    "month_flows",
]
