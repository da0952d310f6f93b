"""Check a scenario against its dataset: every organization, state and port it names exists."""

from __future__ import annotations

from counterflow.data import Dataset
from counterflow.scenario.load import Problem
from counterflow.scenario.model import Scenario

__all__ = ["check_against_dataset"]


def check_against_dataset(scenario: Scenario, dataset: Dataset) -> list[Problem]:
    """Return every reference in the strategies' levers that the dataset does not know."""
    organizations = set(dataset.organizations["org_id"])
    states = set(dataset.states)
    ports = dataset.nodes[dataset.nodes["kind"] == "port_of_entry"]
    port_names = set(ports["us_port_name"]) | set(ports["cbp_field_office"])
    problems: list[Problem] = []
    counts = dataset.homicides
    if not counts.empty:
        years = sorted(set(counts.loc[counts["series"] == "sesnsp", "year"]))
        if scenario.homicide_year not in years:
            problems.append(
                Problem(
                    "homicide_year",
                    f"no homicide counts for {scenario.homicide_year} in the dataset; use one of "
                    f"{', '.join(map(str, years))}",
                )
            )
    for strategy in scenario.strategy:
        where = f"strategy[{strategy.id!r}].levers"
        levers = strategy.levers
        problems.extend(
            Problem(
                f"{where}.port_inspection.{name}",
                "unknown port or field office; use a CBP field office "
                f"({', '.join(dataset.field_offices)}) or a US port name of nodes.csv",
            )
            for name in levers.port_inspection
            if name not in port_names
        )
        problems.extend(
            Problem(
                f"{where}.state_enforcement.{state}",
                "unknown state; use an ISO 3166-2:MX code without 'MX-', e.g. SON",
            )
            for state in levers.state_enforcement
            if state not in states
        )
        named = [("sanctions", o) for o in levers.sanctions]
        if levers.joint_operations is not None:
            named += [
                ("joint_operations.organizations", o) for o in levers.joint_operations.organizations
            ]
        problems.extend(
            Problem(
                f"{where}.{lever}",
                f"unknown organization {organization!r}; use one of "
                f"{', '.join(sorted(organizations))}",
            )
            for lever, organization in named
            if organization not in organizations
        )
    return problems
