"""Problems in a scenario, each with the key path a user wrote, and the error that lists them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from counterflow.errors import InputError

__all__ = ["Problem", "ProblemList", "ScenarioError", "problems_of"]


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


class ProblemList(ValueError):  # noqa: N818 (a carrier of problems inside pydantic, not raised out)
    """Several problems found by one validator, kept apart (each with its own key path)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


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


# Errors of a value of the wrong type (strict fields: nothing is coerced), and their fix.
_STRICT_TYPES = {
    "int_type": "write a whole number without quotes",
    "float_type": "write a number without quotes",
    "bool_type": "write true or false without quotes",
    "date_type": "write a date without quotes, e.g. 2025-06-01",
    "string_type": "write it in quotes",
}


def _toml_type(value: Any) -> str:
    """What a parsed TOML value is, as a user would call it."""
    names: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (dict, "a table"),
        (list, "an array"),
    )
    found = next((name for kind, name in names if isinstance(value, kind)), None)
    if found is None:
        return "a date or time" if hasattr(value, "isoformat") else "something else"
    return found


def problems_of(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    """Every problem of a pydantic validation error, keyed as the user wrote the file."""
    problems: list[Problem] = []
    for item in error.errors():
        carried = item.get("ctx", {}).get("error")
        if isinstance(carried, ProblemList):
            problems.extend(carried.problems)
            continue
        if item["type"] == "too_short" and item.get("input"):
            continue  # its items failed, and each of their problems is listed
        key = _key_path(tuple(item["loc"]), data)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against the scenario format"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] in _STRICT_TYPES:
            found = _toml_type(item.get("input"))
            message += f", not {found}: {_STRICT_TYPES[item['type']]}"
        problems.append(Problem(key, message))
    return problems
