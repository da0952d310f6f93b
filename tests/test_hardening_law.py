"""Law folders (issue 32): one broken copy of the built-in law per error kind, one line, exit 2.

Each test copies the built-in law folder into ``tmp_path``, breaks one thing and runs
``counterflow legal --law``: the error is one line naming the file, the key path (and line
where the text shows it) and the fix. ``compare`` has no ``--law`` option (it always uses the
built-in law), so ``legal`` is the command that reads a law folder.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.legal import Facts, assess, builtin_law, load_law
from counterflow.legal.cited import CITED_RULES, PARAMETERS


def law_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "law"
    shutil.copytree(builtin_law(), folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def block(text: str, rule_id: str, array: str = "rule") -> str:
    """The ``[[array]]`` table of ``rule_id`` (its first version), header included."""
    start = text.rindex(f"[[{array}]]", 0, text.index(f'id = "{rule_id}"'))
    end = text.find("\n[[", start + 1)
    return text[start : end + 1 if end >= 0 else len(text)]


def remove_block(folder: Path, name: str, item_id: str, array: str = "rule") -> None:
    path = folder / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(block(text, item_id, array), ""), encoding="utf-8")


def one_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in captured.err
    assert lines[0].startswith("counterflow: error: ")
    return lines[0]


def legal_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return one_error(["legal", "--law", str(folder)], capsys)


def line_of(folder: Path, name: str, needle: str) -> int:
    lines = (folder / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


# --- every rule the reasoning cites must be in the book ------------------------------------


def test_a_cut_down_framework_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    (folder / "mexico.toml").write_text('framework = "mexico"\n', encoding="utf-8")
    err = legal_error(folder, capsys)
    assert "mexico.toml: rule: 9 rule(s) the reasoning cites are missing: const-19-2025" in err
    assert "end its last version with effective_to" in err


def test_one_missing_rule_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = law_copy(tmp_path)
    remove_block(folder, "international", "un-charter-2-4")
    err = legal_error(folder, capsys)
    assert (
        "international.toml: rule: 1 rule(s) the reasoning cites are missing: un-charter-2-4;"
        in err
    )


def test_a_retired_rule_id_names_the_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", 'id = "assassination-ban"', 'id = "eo-12333-2-11"', count=3)
    err = legal_error(folder, capsys)
    line = line_of(folder, "us", 'id = "eo-12333-2-11"')
    assert f"us.toml:{line}: rule[" in err
    assert "].id: rule 'eo-12333-2-11': this id was renamed 'assassination-ban'" in err


def test_a_rule_the_reasoning_never_cites_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", 'id = "aumf-2001"', 'id = "aumf-2002"')
    err = legal_error(folder, capsys)
    assert "rule 'aumf-2002': the reasoning cites no rule of this id" in err
    assert "did you mean 'aumf-2001'?" in err


def test_versions_out_of_date_order_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reasoning reads const-40 version 2 as the 2025 reform: renumbering would change it.
    folder = law_copy(tmp_path)
    edit(folder, "mexico", 'id = "const-40"\nversion = 1', 'id = "const-40"\nversion = 3')
    err = legal_error(folder, capsys)
    assert "mexico.toml:" in err
    assert "rule[1].version: rule 'const-40': versions in date order are numbered [3, 2]" in err


def test_the_declared_rules_are_exactly_those_the_reasoning_cites() -> None:
    fields = (
        "consent",
        "joint_operations",
        "strikes",
        "captures",
        "overflights",
        "port_inspection",
        "precursor_inspection",
        "mexican_arrests",
        "us_military_on_ground",
    )
    book = load_law()
    seen: dict[str, set[str]] = {f: set() for f in CITED_RULES}
    for bits in itertools.product((False, True), repeat=len(fields)):
        for named in ((), ("sinaloa",)):
            for day in (dt.date(2020, 6, 1), dt.date(2025, 11, 1)):
                facts = Facts(**dict(zip(fields, bits, strict=True)), sanctioned=named)
                for step in assess(facts, as_of=day, book=book).trace:
                    if step.effect != "assumes" and step.rule != "no rule engaged":
                        seen[step.framework].add(step.rule)
                facts = Facts(sanctioned=named, designated=named)
                for step in assess(facts, as_of=day, book=book).trace:
                    seen[step.framework].add(step.rule)
    seen = {f: ids - {"no rule engaged"} for f, ids in seen.items()}
    assert seen == {f: set(ids) for f, ids in CITED_RULES.items()}


# --- legal parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nan", "value = nan is not a finite number"),
        ("inf", "value = inf is not a finite number"),
        ("-48.0", "value = -48.0; a deadline or term must be more than 0"),
        ("1" + "0" * 400, "value = 100000000000... is not a finite number"),
        ("0", "value = 0; a deadline or term must be more than 0"),
    ],
)
def test_a_meaningless_parameter_value_is_refused(
    value: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", "value = 48.0", f"value = {value}")
    err = legal_error(folder, capsys)
    line = line_of(folder, "us", f"value = {value}")
    assert f"us.toml:{line}: parameter[1].value: parameter 'wpr-report-hours': {expected}" in err


def test_a_parameter_in_another_unit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", 'unit = "hours"', 'unit = "days"')
    err = legal_error(folder, capsys)
    assert "parameter[1].unit: parameter 'wpr-report-hours': unit = 'days'" in err


def test_a_missing_parameter_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = law_copy(tmp_path)
    remove_block(folder, "us", "wpr-clock-days", "parameter")
    err = legal_error(folder, capsys)
    assert "us.toml: parameter: parameter(s) the reasoning reads are missing: wpr-clock-days" in err


def test_an_unknown_parameter_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", 'id = "wpr-report-hours"', 'id = "wpr-report-minutes"')
    err = legal_error(folder, capsys)
    assert "parameter[1].id: parameter 'wpr-report-minutes': no parameter of this id" in err


def test_overlapping_parameter_values_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    path = folder / "us.toml"
    text = path.read_text(encoding="utf-8")
    again = block(text, "wpr-report-hours", "parameter").replace("1973-11-07", "2000-01-01")
    path.write_text(text + "\n" + again, encoding="utf-8")
    err = legal_error(folder, capsys)
    assert "parameter 'wpr-report-hours': two values overlap" in err


def test_parameters_are_declared_with_their_units() -> None:
    for item in load_law().parameters:
        assert PARAMETERS[item.framework][item.id].unit == item.unit


# --- shapes and types ------------------------------------------------------------------------


def test_a_string_instead_of_rules_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    (folder / "mexico.toml").write_text('framework = "mexico"\nrule = "oops"\n', encoding="utf-8")
    err = legal_error(folder, capsys)
    assert "mexico.toml:2: rule: must be an array of tables, not a str" in err


def test_a_table_instead_of_an_array_of_tables_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    path = folder / "mexico.toml"
    first = block(path.read_text(encoding="utf-8"), "const-40")
    path.write_text('framework = "mexico"\n' + first.replace("[[rule]]", "[rule]"), "utf-8")
    err = legal_error(folder, capsys)
    assert "mexico.toml: rule: is a single table; write [[rule]] (two brackets)" in err


def test_rules_that_are_not_tables_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    (folder / "mexico.toml").write_text('framework = "mexico"\nrule = [1, 2]\n', "utf-8")
    err = legal_error(folder, capsys)
    assert "mexico.toml:2: rule[1]: must be a table, not a int" in err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('version = 1\nlabel = "States', 'version = 0\nlabel = "States', "version = 0; number"),
        ('note = "', 'note = 3 # "', "note must be a str, not int"),
        ('label = "States must not', 'label = "   "\nxlabel = "', "unknown key 'xlabel'"),
        ('kind = "prohibition"', 'kind = "forbidden"', "kind = 'forbidden'; use one of"),
        ('standing = "settled"', "standing = true", "standing must be a str, not bool"),
        ("version = 1", "version = 1.0", "version must be a int, not float"),
    ],
)
def test_each_field_is_checked(
    old: str, new: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "international", old, new)
    err = legal_error(folder, capsys)
    assert "international.toml:" in err
    assert "rule[1]." in err
    assert expected in err, err


def test_a_blank_label_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "international", 'label = "States must not', 'label = "  " # "')
    err = legal_error(folder, capsys)
    assert "rule[1].label: rule 'un-charter-2-4': label is blank" in err


def test_an_escape_sequence_in_a_law_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "international", 'citation = "Charter', 'citation = "\\u001b[31mCharter')
    err = legal_error(folder, capsys)
    assert (
        "rule[1].citation: rule 'un-charter-2-4': citation holds the control character U+001B"
        in err
    )
    assert "\x1b" not in err


def test_markup_in_a_citation_prints_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "international", 'citation = "Charter', 'citation = "[/bold] [red]Charter')
    assert main(["legal", "unilateral-drone-strikes", "--law", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "[/bold] [red]Charter" in " ".join(out.split())


# --- encodings and nesting -------------------------------------------------------------------


def test_a_latin1_law_file_names_the_byte_and_the_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    path = folder / "mexico.toml"
    text = path.read_text(encoding="utf-8")
    raw = text.encode("latin-1")
    offset = next(i for i, byte in enumerate(raw) if byte > 0x7F)
    path.write_bytes(raw)
    err = legal_error(folder, capsys)
    line = raw.count(b"\n", 0, offset) + 1
    assert f"mexico.toml:{line}: not UTF-8 text: byte 0x{raw[offset]:02X} at offset {offset}" in err
    assert "Windows-1252" in err


def test_a_utf16_law_file_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    path = folder / "us.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    err = legal_error(folder, capsys)
    assert "us.toml: the file is UTF-16 text (byte-order mark" in err
    assert "save it as UTF-8" in err


def test_a_utf16_file_without_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    path = folder / "us.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    err = legal_error(folder, capsys)
    assert "us.toml:1: not UTF-8 text: a NUL byte at offset 1" in err


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = law_copy(tmp_path)
    for name in ("international", "us", "mexico"):
        path = folder / f"{name}.toml"
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert main(["legal", "--law", str(folder), "--json"]) == 0
    assert len(load_law(folder).rules) == len(load_law().rules)


def test_deeply_nested_toml_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = law_copy(tmp_path)
    path = folder / "mexico.toml"
    deep = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    path.write_text(deep + path.read_text(encoding="utf-8"), encoding="utf-8")
    err = legal_error(folder, capsys)
    assert "mexico.toml: arrays or tables nested too deeply to read" in err


def test_a_number_too_long_to_read_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", "version = 1", "version = " + "9" * 5000)
    err = legal_error(folder, capsys)
    assert "us.toml: holds a number too long to read" in err


def test_invalid_toml_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", "effective_from = 1999-12-03", "effective_from = 1999-13-03")
    err = legal_error(folder, capsys)
    line = line_of(folder, "us", "1999-13-03")
    assert f"us.toml:{line}: not valid TOML" in err


def test_a_gap_between_versions_is_said_as_such(tmp_path: Path) -> None:
    folder = law_copy(tmp_path)
    edit(folder, "us", "effective_to = 1992-06-15", "effective_to = 1990-01-01")
    raids = Facts(consent=False, captures=True, us_military_on_ground=True)
    result = assess(raids, as_of=dt.date(1991, 1, 1), book=load_law(folder))
    step = next(s for s in result.trace if s.rule == "ker-frisbie")
    assert not step.in_force
    assert "between two versions" in step.finding
