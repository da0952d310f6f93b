"""Check a scenario against its dataset: every organization, state and port it names exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from counterflow.data import Dataset, load_dataset
from counterflow.errors import InputError
from counterflow.scenario.load import (
    ScenarioError,
    parse_scenario,
    read_scenario_data,
    resolve_network,
)
from counterflow.scenario.model import Scenario, Strategy
from counterflow.scenario.problems import Problem

__all__ = ["check_against_dataset", "find_problems"]


def _check_year(year: int, dataset: Dataset) -> list[Problem]:
    counts = dataset.homicides
    if counts.empty:
        return []
    years = sorted(set(counts.loc[counts["series"] == "sesnsp", "year"]))
    if year in years:
        return []
    return [
        Problem(
            "homicide_year",
            f"no homicide counts for {year} in the dataset; use one of "
            f"{', '.join(map(str, years))}",
        )
    ]


def _check_strategy(strategy: Strategy, dataset: Dataset) -> list[Problem]:
    organizations = set(dataset.organizations["org_id"])
    states = set(dataset.states)
    ports = dataset.nodes[dataset.nodes["kind"] == "port_of_entry"]
    port_names = set(ports["us_port_name"]) | set(ports["cbp_field_office"])
    where = f"strategy[{strategy.id!r}].levers"
    levers = strategy.levers
    problems = [
        Problem(
            f"{where}.port_inspection.{name}",
            "unknown port or field office; use a CBP field office "
            f"({', '.join(dataset.field_offices)}) or a US port name of nodes.csv",
        )
        for name in levers.port_inspection
        if name not in port_names
    ]
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
            f"unknown organization {organization!r}; use one of {', '.join(sorted(organizations))}",
        )
        for lever, organization in named
        if organization not in organizations
    )
    return problems


def check_against_dataset(scenario: Scenario, dataset: Dataset) -> list[Problem]:
    """Return every reference in the strategies' levers that the dataset does not know."""
    problems = _check_year(scenario.homicide_year, dataset)
    for strategy in scenario.strategy:
        problems.extend(_check_strategy(strategy, dataset))
    return problems


def _partial_checks(data: dict[str, Any], path: str | Path) -> list[Problem]:
    """Dataset checks of the parts of an invalid scenario that are valid on their own."""
    network = data.get("network", "builtin:mexico")
    if not isinstance(network, str):
        return []
    try:
        dataset = load_dataset(resolve_network(network, path))
    except InputError:
        return []  # the network's own problem is listed when the scenario is loaded
    year = data.get("homicide_year", 2024)
    problems = _check_year(year, dataset) if type(year) is int else []  # not a bool
    entries = data.get("strategy", [])
    for entry in entries if isinstance(entries, list) else []:
        try:
            strategy = Strategy.model_validate(entry)
        except ValidationError:
            continue  # its problems are listed already
        problems.extend(_check_strategy(strategy, dataset))
    return problems


def find_problems(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Every problem of a scenario file in one pass: format, values and references to data.

    Returns the scenario (``None`` when it does not validate) and the problems.

    Raises:
        InputError: The file cannot be read or is not TOML.
    """
    data = read_scenario_data(path)
    try:
        scenario = parse_scenario(data, path=path)
    except ScenarioError as error:
        problems = list(error.problems)
        known = set(problems)
        problems += [p for p in _partial_checks(data, path) if p not in known]
        return None, problems
    return scenario, check_against_dataset(scenario, load_dataset(scenario.network))
