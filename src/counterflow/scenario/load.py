"""Load a scenario file and check it, reporting every problem with its key path."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from counterflow.errors import InputError
from counterflow.scenario.model import Scenario
from counterflow.scenario.problems import Problem, ScenarioError, problems_of
from counterflow.textfile import decode_utf8

__all__ = [
    "BUILTIN_SCENARIO",
    "Problem",
    "ScenarioError",
    "builtin_scenario_path",
    "load_scenario",
    "parse_scenario",
    "read_scenario_data",
    "resolve_network",
]

BUILTIN_SCENARIO = "mexico-2025"


def builtin_scenario_path(name: str = BUILTIN_SCENARIO) -> Path:
    """Path of a scenario shipped with the package."""
    return Path(str(resources.files("counterflow.data") / "scenarios" / f"{name}.toml"))


def _nested_keys(data: dict[str, Any]) -> list[Problem]:
    """Unquoted dotted keys in ``[parameters]`` / ``[uncertainties]`` (TOML makes them tables)."""
    problems = []
    for table in ("parameters", "uncertainties"):
        entries = data.get(table)
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            if isinstance(value, dict):
                inner = next(iter(value), "name")
                problems.append(
                    Problem(
                        f"{table}.{key}",
                        f'a dotted key must be quoted: write "{key}.{inner}" = ... '
                        "(unquoted, TOML reads it as a nested table)",
                    )
                )
    return problems


def resolve_network(network: str, path: str | Path | None) -> str:
    """A scenario's ``network`` as a path from here: a folder is relative to the scenario file.

    ``builtin:`` names and absolute folders stay as written; without ``path`` (a scenario
    built in code) a relative folder stays relative to the current directory.
    """
    if path is None or network.startswith("builtin:") or Path(network).is_absolute():
        return network
    return os.path.normpath(Path(path).parent / network)


def parse_scenario(data: dict[str, Any], *, path: str | Path | None = None) -> Scenario:
    """Validate a scenario given as a dictionary (the parsed TOML); report every problem.

    A ``network`` folder given relative is read relative to the scenario file at ``path``.
    """
    nested = _nested_keys(data)
    network = data.get("network")
    if isinstance(network, str):
        data = {**data, "network": resolve_network(network, path)}
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        found = problems_of(error, data)
        tables = [problem.key for problem in nested]
        problems = nested + [
            p for p in found if not any(p.key == t or p.key.startswith(f"{t}.") for t in tables)
        ]
        raise ScenarioError(problems, path=path) from None


def read_scenario_data(path: str | Path) -> dict[str, Any]:
    """Read a scenario file as TOML (a UTF-8 byte-order mark is fine), before validation."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "scenario file not found; run counterflow init FILE to get one", path=file
        ) from None
    except OSError as error:
        raise InputError(f"cannot read the scenario file ({error.strerror})", path=file) from None
    text = decode_utf8(file, raw)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([Problem("", f"not valid TOML: {error}")], path=file) from None
    except RecursionError:
        raise ScenarioError(
            [Problem("", "arrays or tables nested too deeply to read; a scenario needs 4 levels")],
            path=file,
        ) from None


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario file (default: the built-in ``mexico-2025``).

    Raises:
        ScenarioError: The file has problems; ``problems`` lists every one with its key path.
        InputError: The file cannot be read.
    """
    file = builtin_scenario_path() if path is None else Path(path)
    return parse_scenario(read_scenario_data(file), path=file)
