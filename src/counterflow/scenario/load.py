"""Load a scenario file and check it, reporting every problem with its key path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from counterflow.errors import InputError
from counterflow.scenario.model import Scenario

__all__ = [
    "BUILTIN_SCENARIO",
    "Problem",
    "ScenarioError",
    "builtin_scenario_path",
    "load_scenario",
    "parse_scenario",
]

BUILTIN_SCENARIO = "mexico-2025"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a scenario: where (a dotted key path) and what."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class ScenarioError(InputError):
    """A scenario file with one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem], *, path: str | Path | None) -> None:
        self.problems = problems
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more: run counterflow validate)"
            if len(problems) > 1
            else ""
        )
        super().__init__(f"{first.message}{more}", path=path, key=first.key or None)

    def lines(self) -> list[str]:
        """One line per problem, each naming the file and key."""
        prefix = f"{self.path}: " if self.path else ""
        return [f"{prefix}{problem}" for problem in self.problems]


def builtin_scenario_path(name: str = BUILTIN_SCENARIO) -> Path:
    """Path of a scenario shipped with the package."""
    return Path(str(resources.files("counterflow.data") / "scenarios" / f"{name}.toml"))


def _key_path(location: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """Turn a pydantic location into the TOML key path users wrote (strategy ids, not indexes)."""
    parts: list[str] = []
    node: Any = data
    for item in location:
        if isinstance(item, int) and parts and parts[-1] == "strategy" and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            label = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] = f"strategy[{label!r}]" if label else f"strategy[{item}]"
            node = entry
            continue
        if isinstance(item, str) and item.startswith(("function-after", "union")):
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_scenario(data: dict[str, Any], *, path: str | Path | None = None) -> Scenario:
    """Validate a scenario given as a dictionary (the parsed TOML)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = _key_path(tuple(item["loc"]), data)
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "unknown key; check its spelling against the scenario format"
            elif item["type"] == "missing":
                message = "required key is missing"
            problems.append(Problem(key, message))
        raise ScenarioError(problems, path=path) from None


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario file (default: the built-in ``mexico-2025``)."""
    file = builtin_scenario_path() if path is None else Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            "scenario file not found; run counterflow init FILE to get one", path=file
        ) from None
    except OSError as error:
        raise InputError(f"cannot read the scenario file ({error.strerror})", path=file) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([Problem("", f"not valid TOML: {error}")], path=file) from None
    return parse_scenario(data, path=file)
