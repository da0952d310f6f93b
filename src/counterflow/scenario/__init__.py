"""Scenarios: the one object that flows (pydantic, frozen, ``extra="forbid"``), loaded from TOML."""

from counterflow.scenario.check import check_against_dataset, find_problems
from counterflow.scenario.load import (
    BUILTIN_SCENARIO,
    Problem,
    ScenarioError,
    builtin_scenario_path,
    load_scenario,
    parse_scenario,
    read_scenario_data,
)
from counterflow.scenario.model import (
    BASELINE_ID,
    JointOperations,
    LeadershipRemoval,
    Levers,
    Scenario,
    Strategy,
    SupplyStrikes,
    ignored_levers,
)

__all__ = [
    "BASELINE_ID",
    "BUILTIN_SCENARIO",
    "JointOperations",
    "LeadershipRemoval",
    "Levers",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Strategy",
    "SupplyStrikes",
    "builtin_scenario_path",
    "check_against_dataset",
    "find_problems",
    "ignored_levers",
    "load_scenario",
    "parse_scenario",
    "read_scenario_data",
]
