"""Legal rules and parameters as data: dated, labelled and cited (after OpenFisca).

A law folder holds one TOML file per framework (``international.toml``, ``us.toml``,
``mexico.toml``; the built-in one is ``counterflow/data/legal``). Each ``[[rule]]`` has an
``id`` shared by its versions, a ``version``, a plain-language ``label``, a ``citation``
(treaty article, statute, judgment, executive order, official notice), ``effective_from`` and
``effective_to`` (exclusive; 9999-12-31 while in force), a ``kind`` and a ``standing``
(``settled`` or ``contested``); ``[[parameter]]`` entries carry a ``value`` and ``unit`` with
the same discipline. :func:`counterflow.legal.load.load_law` reads a folder and checks it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "FRAMEWORKS",
    "KINDS",
    "STANDINGS",
    "LawBook",
    "LegalParameter",
    "RuleVersion",
    "builtin_law",
]

FRAMEWORKS = ("international", "us", "mexico")
KINDS = ("prohibition", "permission", "condition", "claim", "definition")
STANDINGS = ("settled", "contested")


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One version of a rule, in force on ``[effective_from, effective_to)``."""

    framework: str
    id: str
    version: int
    label: str
    citation: str
    effective_from: dt.date
    effective_to: dt.date
    kind: str
    standing: str
    note: str = ""

    def in_force(self, day: dt.date) -> bool:
        """Whether this version applies on ``day``."""
        return self.effective_from <= day < self.effective_to


@dataclass(frozen=True, slots=True)
class LegalParameter:
    """A dated legal number (a deadline, a maximum sentence, ...)."""

    framework: str
    id: str
    value: float
    unit: str
    label: str
    citation: str
    effective_from: dt.date
    effective_to: dt.date


@dataclass(frozen=True)
class LawBook:
    """Every rule version and parameter of every framework."""

    rules: tuple[RuleVersion, ...]
    parameters: tuple[LegalParameter, ...]
    folder: Path

    def rule(self, framework: str, rule_id: str, day: dt.date) -> RuleVersion | None:
        """The version of a rule in force on ``day``, or ``None`` (not yet, or no longer)."""
        for rule in self.rules:
            if rule.framework == framework and rule.id == rule_id and rule.in_force(day):
                return rule
        return None

    def versions(self, framework: str, rule_id: str) -> tuple[RuleVersion, ...]:
        """All versions of a rule, oldest first."""
        found = [r for r in self.rules if r.framework == framework and r.id == rule_id]
        return tuple(sorted(found, key=lambda r: r.effective_from))

    def parameter(self, framework: str, parameter_id: str, day: dt.date) -> LegalParameter | None:
        """The value of a legal parameter in force on ``day``."""
        for item in self.parameters:
            if (
                item.framework == framework
                and item.id == parameter_id
                and item.effective_from <= day < item.effective_to
            ):
                return item
        return None


def builtin_law() -> Path:
    """The folder of the built-in rules."""
    return Path(str(resources.files("counterflow.data") / "legal"))
