"""The trafficking model: builds an assignment problem from a world state and reads its flows."""

from counterflow.traffic.market import (
    PairMarket,
    PriceLadder,
    SupplyState,
    pass_through,
    price_ladders,
)
from counterflow.traffic.model import (
    DRUGS,
    ClassKey,
    StrategyWorld,
    build_world,
    control_shares,
    enforcement_by_state,
    market_baseline,
    with_replacement,
)
from counterflow.traffic.network import TraffickingNetwork, build_trafficking_network
from counterflow.traffic.outcomes import (
    MonthFlows,
    StateFlows,
    border_price_shift,
    class_loss_shares,
    loss_shares,
    month_flows,
    state_flows,
)

__all__ = [
    "DRUGS",
    "ClassKey",
    "MonthFlows",
    "PairMarket",
    "PriceLadder",
    "StateFlows",
    "StrategyWorld",
    "SupplyState",
    "TraffickingNetwork",
    "border_price_shift",
    "build_trafficking_network",
    "build_world",
    "class_loss_shares",
    "control_shares",
    "enforcement_by_state",
    "loss_shares",
    "market_baseline",
    "month_flows",
    "pass_through",
    "price_ladders",
    "state_flows",
    "with_replacement",
]
