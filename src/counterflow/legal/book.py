"""Legal rules and parameters as data: dated, labelled and cited (after OpenFisca).

A law folder holds one TOML file per framework (``international.toml``, ``us.toml``,
``mexico.toml``; the built-in one is ``counterflow/data/legal``). Each ``[[rule]]`` has an
``id`` shared by its versions, a ``version``, a plain-language ``label``, a ``citation``
(treaty article, statute, judgment, executive order, official notice), ``effective_from`` and
``effective_to`` (exclusive; 9999-12-31 while in force), a ``kind`` and a ``standing``
(``settled`` or ``contested``); ``[[parameter]]`` entries carry a ``value`` and ``unit`` with
the same discipline. Loading checks all of it and that no two versions of a rule overlap; a
problem raises :class:`~counterflow.errors.LegalDataError` naming the file and the rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from counterflow.errors import InputFileNotFoundError, LegalDataError

__all__ = ["FRAMEWORKS", "LawBook", "LegalParameter", "RuleVersion", "builtin_law", "load_law"]

FRAMEWORKS = ("international", "us", "mexico")
KINDS = ("prohibition", "permission", "condition", "claim", "definition")
STANDINGS = ("settled", "contested")
_RULE_KEYS = {
    "id": str,
    "version": int,
    "label": str,
    "citation": str,
    "effective_from": dt.date,
    "effective_to": dt.date,
    "kind": str,
    "standing": str,
}
_PARAMETER_KEYS = {
    "id": str,
    "value": float,
    "unit": str,
    "label": str,
    "citation": str,
    "effective_from": dt.date,
    "effective_to": dt.date,
}


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


def _checked(
    entry: dict[str, Any], keys: dict[str, type], path: Path, what: str, position: int
) -> dict[str, Any]:
    name = entry.get("id") if isinstance(entry.get("id"), str) else f"#{position + 1}"
    where = f"{what} {name!r}"
    unknown = sorted(set(entry) - set(keys) - {"note"})
    if unknown:
        raise LegalDataError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(keys)}, note", path=path
        )
    for key, kind in keys.items():
        if key not in entry or entry[key] in ("", None):
            fix = "add it" if key != "citation" else "every rule needs its source: add one"
            raise LegalDataError(f"{where}: {key} is missing; {fix}", path=path, key=key)
        value = entry[key]
        if kind is dt.date:
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise LegalDataError(
                    f"{where}: {key} = {value!r} is not a date; write it as YYYY-MM-DD "
                    "without quotes",
                    path=path,
                    key=key,
                )
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise LegalDataError(f"{where}: {key} must be a number", path=path, key=key)
        elif not isinstance(value, kind) or isinstance(value, bool):
            raise LegalDataError(f"{where}: {key} must be a {kind.__name__}", path=path, key=key)
    if entry["effective_to"] <= entry["effective_from"]:
        raise LegalDataError(
            f"{where}: effective_to must be after effective_from (use 9999-12-31 while in force)",
            path=path,
            key="effective_to",
        )
    return entry


def _read(path: Path) -> tuple[str, list[RuleVersion], list[LegalParameter]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        # TOML rejects malformed dates here (e.g. 2025-13-01): say so in one line.
        raise LegalDataError(f"not valid TOML ({error}); dates are YYYY-MM-DD", path=path) from None
    framework = data.get("framework")
    if framework not in FRAMEWORKS:
        raise LegalDataError(
            f"unknown framework {framework!r}; use one of {', '.join(FRAMEWORKS)}",
            path=path,
            key="framework",
        )
    unknown = sorted(set(data) - {"framework", "rule", "parameter"})
    if unknown:
        raise LegalDataError(
            f"unknown key {unknown[0]!r}; a rules file has framework, [[rule]], [[parameter]]",
            path=path,
        )
    rules = []
    for i, entry in enumerate(data.get("rule", [])):
        item = _checked(entry, _RULE_KEYS, path, "rule", i)
        for key, allowed in (("kind", KINDS), ("standing", STANDINGS)):
            if item[key] not in allowed:
                raise LegalDataError(
                    f"rule {item['id']!r}: {key} = {item[key]!r}; use one of {', '.join(allowed)}",
                    path=path,
                    key=key,
                )
        rules.append(RuleVersion(framework=framework, **item))
    parameters = []
    for i, entry in enumerate(data.get("parameter", [])):
        item = _checked(entry, _PARAMETER_KEYS, path, "parameter", i)
        parameters.append(
            LegalParameter(
                framework=framework,
                id=item["id"],
                value=float(item["value"]),
                unit=item["unit"],
                label=item["label"],
                citation=item["citation"],
                effective_from=item["effective_from"],
                effective_to=item["effective_to"],
            )
        )
    _no_overlaps(rules, path)
    return str(framework), rules, parameters


def _no_overlaps(rules: list[RuleVersion], path: Path) -> None:
    by_id: dict[str, list[RuleVersion]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rule_id, versions in by_id.items():
        ordered = sorted(versions, key=lambda r: (r.effective_from, r.version))
        numbers = [r.version for r in versions]
        if len(set(numbers)) != len(numbers):
            raise LegalDataError(
                f"rule {rule_id!r}: version {numbers[0]} appears twice; number versions 1, 2, ...",
                path=path,
                key="version",
            )
        for earlier, later in itertools.pairwise(ordered):
            if later.effective_from < earlier.effective_to:
                raise LegalDataError(
                    f"rule {rule_id!r}: versions {earlier.version} and {later.version} overlap "
                    f"({earlier.effective_to} > {later.effective_from}); end version "
                    f"{earlier.version} on the day version {later.version} takes effect",
                    path=path,
                    key="effective_to",
                )


def load_law(folder: str | Path | None = None) -> LawBook:
    """Read and check every framework's rules (default: the built-in folder)."""
    where = builtin_law() if folder is None else Path(folder)
    if not where.is_dir():
        raise InputFileNotFoundError(
            "law folder not found; give a folder with international.toml, us.toml, mexico.toml",
            path=where,
        )
    rules: list[RuleVersion] = []
    parameters: list[LegalParameter] = []
    for name in FRAMEWORKS:
        path = where / f"{name}.toml"
        if not path.is_file():
            raise InputFileNotFoundError(
                f"missing {path.name}; a law folder needs "
                f"{', '.join(f + '.toml' for f in FRAMEWORKS)}",
                path=path,
            )
        framework, found, numbers = _read(path)
        if framework != name:
            raise LegalDataError(
                f"framework = {framework!r} in {path.name}; the file of framework {name!r} "
                f"is {name}.toml",
                path=path,
                key="framework",
            )
        rules.extend(found)
        parameters.extend(numbers)
    return LawBook(tuple(rules), tuple(parameters), where)
