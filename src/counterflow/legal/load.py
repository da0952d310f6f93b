"""Read a law folder and check every file of it (:func:`load_law`).

Loading checks the shape of each file (``[[rule]]`` is an array of tables), every key's type
(dates are dates, numbers finite, strings without control characters), the allowed ``kind``
and ``standing``, that the versions of one rule are numbered 1, 2, ... in date order without
overlap, that values of one parameter do not overlap, and that each framework's file holds
exactly the rules and parameters the reasoning reads (:mod:`counterflow.legal.cited`). A
problem raises :class:`~counterflow.errors.LegalDataError` naming the file, the line and the
key path (``rule[3].effective_to``: the third ``[[rule]]`` table of the file).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterflow.errors import InputFileNotFoundError, LegalDataError
from counterflow.legal.book import (
    FRAMEWORKS,
    KINDS,
    STANDINGS,
    LawBook,
    LegalParameter,
    RuleVersion,
    builtin_law,
)
from counterflow.legal.cited import CITED_RULES, PARAMETERS, RENAMED_RULES
from counterflow.legal.source import LawSource, read_law_source

__all__ = ["load_law"]

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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENTRY_KINDS = {"rule": _RULE_KEYS, "parameter": _PARAMETER_KEYS}


@dataclass(frozen=True)
class _Where:
    """Where an entry is: its file, its ``[[array]]`` and position, and its name for messages."""

    source: LawSource
    array: str
    index: int
    name: str

    def error(self, key: str | None, message: str) -> LegalDataError:
        """A one-line error at ``array[n].key`` (n counts the file's tables from 1)."""
        line = self.source.line_of(self.array, self.index, key) or self.source.line_of(
            self.array, self.index
        )
        path = f"{self.array}[{self.index + 1}]" + (f".{key}" if key else "")
        return LegalDataError(
            f"{self.name}: {message}", path=self.source.path, line=line or None, key=path
        )


def _entries(source: LawSource, array: str) -> list[_Where]:
    """The ``[[array]]`` tables of a file, checked to be an array of tables."""
    value = source.data.get(array, [])
    line = source.line_of(None, key=array) or None
    if isinstance(value, dict):
        raise LegalDataError(
            f"is a single table; write [[{array}]] (two brackets) before each {array}",
            path=source.path,
            line=line,
            key=array,
        )
    if not isinstance(value, list):
        raise LegalDataError(
            f"must be an array of tables, not a {type(value).__name__}; write each {array} "
            f"under its own [[{array}]] header",
            path=source.path,
            line=line,
            key=array,
        )
    found = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise LegalDataError(
                f"must be a table, not a {type(entry).__name__}; write it under a "
                f"[[{array}]] header with key = value lines",
                path=source.path,
                line=line,
                key=f"{array}[{index + 1}]",
            )
        name = entry.get("id") if isinstance(entry.get("id"), str) else f"#{index + 1}"
        found.append(_Where(source, array, index, f"{array} {name!r}"))
    return found


def _checked_value(where: _Where, key: str, kind: type, value: Any) -> None:
    if kind is dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise where.error(
                key, f"{key} = {value!r} is not a date; write it as YYYY-MM-DD without quotes"
            )
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise where.error(key, f"{key} must be a number")
        if abs(value) > sys.float_info.max or not math.isfinite(value):
            shown = repr(value) if len(repr(value)) <= 24 else f"{repr(value)[:12]}..."
            raise where.error(key, f"{key} = {shown} is not a finite number; give the value")
    elif not isinstance(value, kind) or isinstance(value, bool):
        raise where.error(key, f"{key} must be a {kind.__name__}, not {type(value).__name__}")
    if isinstance(value, str):
        if not value.strip():
            raise where.error(key, f"{key} is blank; write it out")
        control = _CONTROL.search(value)
        if control is not None:
            raise where.error(
                key,
                f"{key} holds the control character U+{ord(control.group()):04X} (an escape "
                "sequence or similar); remove it",
            )


def _checked(where: _Where, entry: dict[str, Any]) -> dict[str, Any]:
    keys = _ENTRY_KINDS[where.array]
    unknown = sorted(set(entry) - set(keys) - {"note"})
    if unknown:
        raise where.error(
            unknown[0], f"unknown key {unknown[0]!r}; allowed: {', '.join(keys)}, note"
        )
    for key, kind in keys.items():
        if key not in entry or entry[key] in ("", None):
            fix = "add it" if key != "citation" else "every rule needs its source: add one"
            raise where.error(key, f"{key} is missing; {fix}")
        _checked_value(where, key, kind, entry[key])
    if "note" in entry:
        _checked_value(where, "note", str, entry["note"])
    if entry["effective_to"] <= entry["effective_from"]:
        raise where.error(
            "effective_to",
            "effective_to must be after effective_from (use 9999-12-31 while in force)",
        )
    return entry


def _rule(where: _Where, framework: str, entry: dict[str, Any]) -> RuleVersion:
    item = _checked(where, entry)
    if item["version"] < 1:
        raise where.error("version", f"version = {item['version']}; number versions 1, 2, ...")
    for key, allowed in (("kind", KINDS), ("standing", STANDINGS)):
        if item[key] not in allowed:
            raise where.error(key, f"{key} = {item[key]!r}; use one of {', '.join(allowed)}")
    return RuleVersion(framework=framework, **item)


def _parameter(where: _Where, framework: str, entry: dict[str, Any]) -> LegalParameter:
    item = _checked(where, entry)
    spec = PARAMETERS[framework].get(item["id"])
    if spec is not None and item["unit"] != spec.unit:
        raise where.error(
            "unit", f"unit = {item['unit']!r}; the reasoning reads this value in {spec.unit!r}"
        )
    if spec is not None and item["value"] <= 0:
        raise where.error(
            "value", f"value = {item['value']!r}; a deadline or term must be more than 0"
        )
    fields = {k: item[k] for k in _PARAMETER_KEYS}
    return LegalParameter(framework=framework, **{**fields, "value": float(item["value"])})


def _read(path: Path) -> tuple[str, list[RuleVersion], list[LegalParameter], LawSource]:
    source = read_law_source(path)
    data = source.data
    framework = data.get("framework")
    if framework not in FRAMEWORKS:
        raise LegalDataError(
            f"unknown framework {framework!r}; use one of {', '.join(FRAMEWORKS)}",
            path=path,
            line=source.line_of(None, key="framework") or None,
            key="framework",
        )
    unknown = sorted(set(data) - {"framework", "rule", "parameter"})
    if unknown:
        raise LegalDataError(
            f"unknown key {unknown[0]!r}; a rules file has framework, [[rule]], [[parameter]]",
            path=path,
            line=source.line_of(None, key=unknown[0]) or None,
            key=unknown[0],
        )
    rules = [_rule(where, framework, entry) for where, entry in _with_data(source, "rule")]
    parameters = [
        _parameter(where, framework, entry) for where, entry in _with_data(source, "parameter")
    ]
    _versions_in_order(rules, source)
    _parameters_apart(parameters, source)
    return str(framework), rules, parameters, source


def _with_data(source: LawSource, array: str) -> list[tuple[_Where, dict[str, Any]]]:
    entries = source.data.get(array, [])
    return [(where, entries[where.index]) for where in _entries(source, array)]


def _first(source: LawSource, array: str, item_id: str, version: int | None = None) -> _Where:
    """Where the first table of ``item_id`` (and ``version``) is, for a message about it."""
    for index, entry in enumerate(source.data.get(array, [])):
        if entry.get("id") == item_id and version in (None, entry.get("version")):
            return _Where(source, array, index, f"{array} {item_id!r}")
    return _Where(source, array, 0, f"{array} {item_id!r}")


def _versions_in_order(rules: list[RuleVersion], source: LawSource) -> None:
    """Versions of one id: numbered 1, 2, ... in date order, never overlapping."""
    by_id: dict[str, list[RuleVersion]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rule_id, versions in by_id.items():
        ordered = sorted(versions, key=lambda r: (r.effective_from, r.version))
        numbers = [r.version for r in ordered]
        if len(set(numbers)) != len(numbers):
            twice = next(n for n in numbers if numbers.count(n) > 1)
            raise _first(source, "rule", rule_id, twice).error(
                "version", f"version {twice} appears twice; number versions 1, 2, ..."
            )
        for earlier, later in itertools.pairwise(ordered):
            if later.effective_from < earlier.effective_to:
                raise _first(source, "rule", rule_id, earlier.version).error(
                    "effective_to",
                    f"versions {earlier.version} and {later.version} overlap "
                    f"({earlier.effective_to} > {later.effective_from}); end version "
                    f"{earlier.version} on the day version {later.version} takes effect",
                )
        if numbers != list(range(1, len(numbers) + 1)):
            raise _first(source, "rule", rule_id, ordered[0].version).error(
                "version",
                f"versions in date order are numbered {numbers}; number them "
                f"{list(range(1, len(numbers) + 1))} from the earliest",
            )


def _parameters_apart(parameters: list[LegalParameter], source: LawSource) -> None:
    """Entries of one parameter id never overlap in time (one value on any date)."""
    by_id: dict[str, list[LegalParameter]] = {}
    for item in parameters:
        by_id.setdefault(item.id, []).append(item)
    for parameter_id, entries in by_id.items():
        ordered = sorted(entries, key=lambda p: p.effective_from)
        for earlier, later in itertools.pairwise(ordered):
            if later.effective_from < earlier.effective_to:
                raise _first(source, "parameter", parameter_id).error(
                    "effective_to",
                    f"two values overlap ({earlier.effective_to} > {later.effective_from}); "
                    "end the earlier on the day the later takes effect",
                )


def _ids_as_cited(
    framework: str, rules: list[RuleVersion], parameters: list[LegalParameter], source: LawSource
) -> None:
    """The file holds every rule and parameter the reasoning reads, and nothing it does not."""
    cited = CITED_RULES[framework]
    renamed = RENAMED_RULES[framework]
    for rule in rules:
        if rule.id in renamed:
            raise _first(source, "rule", rule.id).error(
                "id",
                f"this id was renamed {renamed[rule.id]!r}; write id = {renamed[rule.id]!r} "
                "in every version of the rule",
            )
        if rule.id not in cited:
            close = difflib.get_close_matches(rule.id, cited, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise _first(source, "rule", rule.id).error(
                "id",
                f"the reasoning cites no rule of this id in {framework}.toml; {hint}keep the ids "
                "of the built-in law (docs/legal.md)",
            )
    missing = sorted(cited - {r.id for r in rules})
    if missing:
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        raise LegalDataError(
            f"{len(missing)} rule(s) the reasoning cites are missing: {shown}; a law folder keeps "
            f"every rule of the built-in {framework}.toml (to take one out of force, end its "
            "last version with effective_to)",
            path=source.path,
            key="rule",
        )
    known = PARAMETERS[framework]
    for item in parameters:
        if item.id not in known:
            raise _first(source, "parameter", item.id).error(
                "id",
                f"no parameter of this id is read in {framework}.toml; use one of "
                f"{', '.join(known) or 'none'}",
            )
    present = {p.id for p in parameters}
    absent = sorted(k for k, spec in known.items() if spec.required and k not in present)
    if absent:
        raise LegalDataError(
            f"parameter(s) the reasoning reads are missing: {', '.join(absent)}; copy them "
            f"from the built-in {framework}.toml",
            path=source.path,
            key="parameter",
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
        framework, found, numbers, source = _read(path)
        if framework != name:
            raise LegalDataError(
                f"framework = {framework!r} in {path.name}; the file of framework {name!r} "
                f"is {name}.toml",
                path=path,
                line=source.line_of(None, key="framework") or None,
                key="framework",
            )
        _ids_as_cited(name, found, numbers, source)
        rules.extend(found)
        parameters.extend(numbers)
    return LawBook(tuple(rules), tuple(parameters), where)
