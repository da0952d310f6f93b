"""Law as code: every rule applied, the catalogue's verdicts, dates, and bad rule files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.data import load_dataset
from counterflow.legal import Facts, assess, builtin_law, load_law
from counterflow.model.legality import assess_strategy, designation_dates
from counterflow.scenario import load_scenario

JUNE_2025 = dt.date(2025, 6, 1)
LATER = dt.date(2025, 11, 1)
ALL_SIX = ("sinaloa", "cjng", "noreste", "golfo", "familia-michoacana", "carteles-unidos")

UNILATERAL_STRIKES = Facts(consent=False, strikes=True, overflights=True)
UNILATERAL_RAIDS = Facts(consent=False, captures=True)
JOINT = Facts(consent=True, joint_operations=True, captures=True, overflights=True)
SANCTIONS = Facts(sanctioned=ALL_SIX, designated=ALL_SIX, port_inspection=True)
EARLY_SANCTIONS = Facts(sanctioned=ALL_SIX)
NOTHING = Facts()

# rule id -> (framework, facts, date, expected effect): one case per rule of the built-in law.
RULE_CASES = {
    "un-charter-2-4": ("international", UNILATERAL_STRIKES, JUNE_2025, "prohibits"),
    "un-charter-51": ("international", UNILATERAL_STRIKES, JUNE_2025, "informs"),
    "territorial-consent": ("international", JOINT, JUNE_2025, "permits"),
    "icj-nicaragua-armed-attack": ("international", UNILATERAL_RAIDS, JUNE_2025, "informs"),
    "icj-drc-uganda-non-state": ("international", UNILATERAL_RAIDS, JUNE_2025, "informs"),
    "unwilling-or-unable": ("international", UNILATERAL_STRIKES, JUNE_2025, "asserted"),
    "lotus-enforcement-jurisdiction": ("international", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "chicago-convention-3c": ("international", UNILATERAL_STRIKES, JUNE_2025, "prohibits"),
    "ihl-niac-threshold": ("international", UNILATERAL_STRIKES, JUNE_2025, "informs"),
    "us-niac-claim-2025": ("international", UNILATERAL_STRIKES, LATER, "asserted"),
    "iccpr-6-life": ("international", UNILATERAL_STRIKES, JUNE_2025, "prohibits"),
    "ina-219-fto": ("us", SANCTIONS, JUNE_2025, "permits"),
    "material-support-2339b": ("us", SANCTIONS, JUNE_2025, "informs"),
    "eo-13224": ("us", SANCTIONS, JUNE_2025, "permits"),
    "ieepa": ("us", SANCTIONS, JUNE_2025, "permits"),
    "kingpin-act": ("us", EARLY_SANCTIONS, dt.date(2024, 6, 1), "permits"),
    "eo-14059": ("us", EARLY_SANCTIONS, dt.date(2024, 6, 1), "permits"),
    "eo-14157": ("us", SANCTIONS, JUNE_2025, "informs"),
    "cartel-fto-designations-2025": ("us", SANCTIONS, JUNE_2025, "informs"),
    "aumf-2001": ("us", UNILATERAL_STRIKES, JUNE_2025, "informs"),
    "article-ii-claim": ("us", UNILATERAL_STRIKES, JUNE_2025, "contests"),
    "war-powers-resolution": ("us", UNILATERAL_STRIKES, JUNE_2025, "contests"),
    "eo-12333-2-11": ("us", UNILATERAL_STRIKES, JUNE_2025, "contests"),
    "eo-12333-intelligence": ("us", JOINT, JUNE_2025, "permits"),
    "border-search-authority": ("us", SANCTIONS, JUNE_2025, "permits"),
    "ker-frisbie": ("us", UNILATERAL_RAIDS, JUNE_2025, "permits"),
    "const-40": ("mexico", UNILATERAL_STRIKES, JUNE_2025, "prohibits"),
    "const-19-2025": ("mexico", UNILATERAL_STRIKES, JUNE_2025, "informs"),
    "const-76-iii": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "const-89-x": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "informs"),
    "lsn-foreign-agents-2020": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "mexican-authorization": ("mexico", JOINT, JUNE_2025, "permits"),
}
_US_ONLY = {"us-niac-claim-2025": ("us", UNILATERAL_STRIKES, LATER, "asserted")}


def test_every_rule_has_a_case() -> None:
    book = load_law()
    ids = {(r.framework, r.id) for r in book.rules}
    cases = {(c[0], rule) for rule, c in RULE_CASES.items()}
    cases |= {(c[0], rule) for rule, c in _US_ONLY.items()}
    assert ids == cases


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule(rule_id: str) -> None:
    framework, facts, day, effect = RULE_CASES[rule_id]
    result = assess(facts, as_of=day, book=load_law())
    steps = [s for s in result.trace if s.rule == rule_id and s.framework == framework]
    assert steps, f"{rule_id} not consulted"
    assert steps[0].in_force
    assert steps[0].effect == effect
    assert steps[0].citation
    assert steps[0].label


def test_us_records_the_armed_conflict_claim_as_asserted() -> None:
    framework, facts, day, effect = _US_ONLY["us-niac-claim-2025"]
    result = assess(facts, as_of=day, book=load_law())
    step = next(
        s for s in result.trace if s.framework == framework and s.rule == "us-niac-claim-2025"
    )
    assert step.effect == effect
    assert result.verdicts["us"] == "contested"  # the claim does not change the verdict


EXPECTED = {
    "status-quo": ("permitted", "permitted", "permitted"),
    "border-inspection-surge": ("permitted", "permitted", "permitted"),
    "precursor-controls": ("permitted", "permitted", "permitted"),
    "cooperative-interdiction": ("permitted", "permitted", "permitted"),
    "combined-cooperative-package": ("permitted", "permitted", "permitted"),
    "fto-financial-sanctions": ("permitted", "permitted", "permitted"),
    "joint-capture-with-consent": ("permitted", "permitted", "permitted"),
    "unilateral-drone-strikes": ("prohibited", "contested", "prohibited"),
    "unilateral-supply-chain-strikes": ("prohibited", "contested", "prohibited"),
}


def test_catalogue_verdicts_as_of_june_2025() -> None:
    scenario = load_scenario()
    dataset = load_dataset()
    book = load_law()
    found = {
        s.id: tuple(assess_strategy(dataset, s, JUNE_2025, book).verdicts.values())
        for s in scenario.strategy
    }
    assert found == EXPECTED


def test_the_date_decides_which_rules_apply() -> None:
    scenario = load_scenario()
    dataset = load_dataset()
    book = load_law()
    sanctions = scenario.get_strategy("fto-financial-sanctions")
    before = assess_strategy(dataset, sanctions, dt.date(2025, 2, 19), book)
    after = assess_strategy(dataset, sanctions, dt.date(2025, 2, 20), book)
    assert designation_dates(dataset)["sinaloa"] == dt.date(2025, 2, 20)
    used_before = {s.rule for s in before.trace if s.in_force}
    used_after = {s.rule for s in after.trace if s.in_force}
    assert "cartel-fto-designations-2025" not in used_before  # no cartel is an FTO yet
    assert "kingpin-act" in used_before
    assert "cartel-fto-designations-2025" in used_after
    strikes = scenario.get_strategy("unilateral-drone-strikes")
    old = assess_strategy(dataset, strikes, dt.date(2025, 3, 1), book)
    new = assess_strategy(dataset, strikes, JUNE_2025, book)
    article_40 = [s for s in old.trace if s.rule == "const-40"]
    assert article_40[0].version == 1
    assert article_40[0].effect == "informs"  # the earlier text has no clause on intervention
    assert next(s for s in new.trace if s.rule == "const-40").version == 2
    assert next(s for s in new.trace if s.rule == "const-40").effect == "prohibits"


def test_contested_claims_do_not_change_the_verdict() -> None:
    book = load_law()
    early = assess(UNILATERAL_STRIKES, as_of=JUNE_2025, book=book)
    late = assess(UNILATERAL_STRIKES, as_of=LATER, book=book)
    assert early.verdicts == late.verdicts
    claim = [s for s in late.trace if s.rule == "us-niac-claim-2025"]
    assert {s.effect for s in claim} == {"asserted"}


def test_consented_strikes_remain_unlawful_lethal_force() -> None:
    result = assess(Facts(consent=True, strikes=True), as_of=JUNE_2025, book=load_law())
    assert result.verdicts["international"] == "prohibited"  # ICCPR Art. 6 outside conflict
    assert result.verdicts["mexico"] == "contested"  # foreign forces: Senate authorization


def test_legal_command_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["legal", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted(i["strategy"] for i in items) == sorted(EXPECTED)
    for item in items:
        assert (item["international"], item["us"], item["mexico"]) == EXPECTED[item["strategy"]]
        assert item["as_of"] == "2025-06-01"
        assert item["trace"]
        assert all(step["citation"] for step in item["trace"] if step["in_force"])
        assert "not legal advice" in item["note"]
    assert main(["legal", "unilateral-drone-strikes", "--as-of", "2025-03-01"]) == 0
    text = capsys.readouterr().out
    assert "as of 2025-03-01" in text
    assert "not legal advice" in text


def bad_law(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / "law"
    shutil.copytree(builtin_law(), folder)
    us = folder / "us.toml"
    text = us.read_text()
    if kind == "unknown framework":
        us.write_text(text.replace('framework = "us"', 'framework = "canada"'))
    elif kind == "malformed date":
        us.write_text(text.replace("effective_from = 1999-12-03", "effective_from = 1999-13-03"))
    elif kind == "quoted date":
        us.write_text(text.replace("effective_from = 1999-12-03", 'effective_from = "1999-12-03"'))
    elif kind == "no citation":
        start = text.index('id = "aumf-2001"')
        line = text.index("citation = ", start)
        end = text.index("\n", line)
        us.write_text(text[:line] + 'citation = ""' + text[end:])
    elif kind == "overlap":
        us.write_text(
            text + '\n[[rule]]\nid = "aumf-2001"\nversion = 2\nlabel = "x"\ncitation = "y"\n'
            'effective_from = 2010-01-01\neffective_to = 9999-12-31\nkind = "condition"\n'
            'standing = "settled"\n'
        )
    elif kind == "unknown key":
        us.write_text(text.replace('id = "aumf-2001"', 'id = "aumf-2001"\ncolour = "red"'))
    elif kind == "missing file":
        us.unlink()
    return folder


BAD_LAW = {
    "unknown framework": "unknown framework 'canada'",
    "malformed date": "not valid TOML",
    "quoted date": "rule 'kingpin-act': effective_from = '1999-12-03' is not a date",
    "no citation": "rule 'aumf-2001': citation is missing",
    "overlap": "rule 'aumf-2001': versions 1 and 2 overlap",
    "unknown key": "rule 'aumf-2001': unknown key 'colour'",
    "missing file": "missing us.toml",
}


@pytest.mark.parametrize("kind", sorted(BAD_LAW))
def test_bad_law_file_one_line_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = bad_law(tmp_path, kind)
    assert main(["legal", "--law", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "us.toml" in err[0]
    assert BAD_LAW[kind] in err[0], err[0]
    assert "Traceback" not in err[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["legal", "drone-swarm"], "unknown strategy 'drone-swarm'"),
        (["legal", "--as-of", "2025-31-12"], "--as-of: '2025-31-12' is not a date"),
    ],
)
def test_bad_legal_arguments(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert expected in err[0]
