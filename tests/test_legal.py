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
from counterflow.scenario import Levers, Strategy, ignored_levers, load_scenario

JUNE_2025 = dt.date(2025, 6, 1)
LATER = dt.date(2025, 11, 1)
ALL_SIX = ("sinaloa", "cjng", "noreste", "golfo", "familia-michoacana", "carteles-unidos")

UNILATERAL_STRIKES = Facts(consent=False, strikes=True, overflights=True)
UNILATERAL_RAIDS = Facts(consent=False, captures=True, us_military_on_ground=True)
JOINT = Facts(consent=True, joint_operations=True, captures=True, overflights=True)
CONSENTED_STRIKES = Facts(consent=True, strikes=True)
UNILATERAL_ISR = Facts(consent=False, overflights=True)
PRECURSORS = Facts(precursor_inspection=True)
RULAC_YEAR = dt.date(2020, 6, 1)
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
    "rulac-mexico-niac": ("international", CONSENTED_STRIKES, RULAC_YEAR, "informs"),
    "iccpr-extraterritorial-scope": ("international", UNILATERAL_STRIKES, JUNE_2025, "asserted"),
    "iccpr-9-liberty": ("international", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "drug-convention-2-3": ("international", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "drug-convention-12": ("international", PRECURSORS, JUNE_2025, "permits"),
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
    "assassination-ban": ("us", UNILATERAL_STRIKES, JUNE_2025, "contests"),
    "eo-12333-intelligence": ("us", JOINT, JUNE_2025, "permits"),
    "border-search-authority": ("us", SANCTIONS, JUNE_2025, "permits"),
    "ker-frisbie": ("us", UNILATERAL_RAIDS, JUNE_2025, "informs"),
    "olc-1989-extraterritorial-arrest": ("us", UNILATERAL_RAIDS, JUNE_2025, "contests"),
    "mansfield-amendment": ("us", UNILATERAL_RAIDS, JUNE_2025, "contests"),
    "usc-10-124": ("us", JOINT, JUNE_2025, "permits"),
    "usc-10-284": ("us", JOINT, JUNE_2025, "permits"),
    "const-40": ("mexico", UNILATERAL_STRIKES, JUNE_2025, "prohibits"),
    "const-19-2025": ("mexico", UNILATERAL_STRIKES, JUNE_2025, "informs"),
    "const-76-iii": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "const-89-x": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "informs"),
    "lsn-foreign-agents-2020": ("mexico", UNILATERAL_RAIDS, JUNE_2025, "prohibits"),
    "mexican-authorization": ("mexico", JOINT, JUNE_2025, "permits"),
    "const-42-vi": ("mexico", UNILATERAL_ISR, JUNE_2025, "prohibits"),
    "const-22-life": ("mexico", CONSENTED_STRIKES, JUNE_2025, "prohibits"),
    "lnuf-13": ("mexico", CONSENTED_STRIKES, JUNE_2025, "prohibits"),
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


# Changed in issue 31 (before: permitted everywhere for the first six): a framework none of whose
# rules a strategy engages is "not engaged", not "permitted" — status quo (no lever), border
# inspection and sanctions (US law only), precursor controls (inspection at Mexican seaports:
# international and Mexican law, no US authority). The others are unchanged: joint captures stay
# permitted because Mexican authorities make the arrests (the default, shown as an assumption).
NE = "not engaged"
EXPECTED = {
    "status-quo": (NE, NE, NE),
    "border-inspection-surge": (NE, "permitted", NE),
    "precursor-controls": ("permitted", NE, "permitted"),
    "cooperative-interdiction": ("permitted", "permitted", "permitted"),
    "combined-cooperative-package": ("permitted", "permitted", "permitted"),
    "fto-financial-sanctions": (NE, "permitted", NE),
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
    result = assess(CONSENTED_STRIKES, as_of=JUNE_2025, book=load_law())
    assert result.verdicts["international"] == "prohibited"  # ICCPR Art. 6 outside conflict
    # Constitution Art. 22 and the Use of Force Law Art. 13: prohibited, not contested.
    assert result.verdicts["mexico"] == "prohibited"
    mexico = {s.rule: s.effect for s in result.trace if s.framework == "mexico"}
    assert mexico["const-22-life"] == "prohibits"
    assert mexico["lnuf-13"] == "prohibits"
    assert "const-76-iii" not in mexico  # strikes put no US military on the ground


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


def _steps(result: object, framework: str) -> dict[str, str]:
    trace = result.trace  # type: ignore[attr-defined]
    return {s.rule: s.effect for s in trace if s.framework == framework and s.in_force}


def _probe(levers: dict[str, object], day: dt.date = JUNE_2025) -> object:
    strategy = Strategy(id="probe", label="probe", levers=Levers.model_validate(levers))
    return assess_strategy(load_dataset(), strategy, day, load_law())


RAID = {"consent": False, "leadership_removal": {"method": "capture", "intensity": 0.5}}
CAPTURE = {"consent": True, "leadership_removal": {"method": "capture", "intensity": 0.5}}


def test_capture_raids_without_consent_are_contested_under_us_law() -> None:
    result = _probe(RAID)
    assert result.verdicts == {  # type: ignore[attr-defined]
        "international": "prohibited",
        "us": "contested",
        "mexico": "prohibited",
    }
    us = _steps(result, "us")
    assert us["ker-frisbie"] == "informs"  # jurisdiction to try, not authority to seize
    assert us["olc-1989-extraterritorial-arrest"] == "contests"
    assert us["mansfield-amendment"] == "contests"
    assert us["war-powers-resolution"] == "informs"  # 48-hour report: forces enter Mexico
    assert us["assumption: us-military-on-ground"] == "assumes"  # unset: a military raid
    intl = _steps(result, "international")
    for rule in ("un-charter-2-4", "drug-convention-2-3", "iccpr-9-liberty"):
        assert intl[rule] == "prohibits", rule


def test_isr_without_consent_is_an_unlawful_overflight_at_every_date() -> None:
    for day in (dt.date(2021, 6, 1), dt.date(2025, 3, 1), JUNE_2025):
        result = _probe({"consent": False, "isr_coverage": 0.5}, day)
        assert result.verdicts["mexico"] == "prohibited", day  # type: ignore[attr-defined]
        mexico = _steps(result, "mexico")
        assert mexico["const-42-vi"] == "prohibits"
        assert "lsn-foreign-agents-2020" not in mexico  # governs agents, not aircraft
        assert mexico["assumption: overflight"] == "assumes"
        assert _steps(result, "international")["chicago-convention-3c"] == "prohibits"


def test_joint_captures_are_permitted_only_if_mexican_authorities_arrest() -> None:
    default = _probe(CAPTURE)
    assert set(default.verdicts.values()) == {"permitted"}  # type: ignore[attr-defined]
    for framework in ("international", "us", "mexico"):
        assert _steps(default, framework)["assumption: mexican-arrests"] == "assumes"
    assert "const-76-iii" not in _steps(default, "mexico")  # no US military on the ground
    citations = [step.citation for step in default.trace if step.framework == "mexico"]  # type: ignore[attr-defined]
    assert not any("76 fracción III" in c or "76 fr. III" in c for c in citations)
    us_arrests = {
        "consent": True,
        "leadership_removal": {"method": "capture", "intensity": 0.5, "mexican_arrests": False},
    }
    result = _probe(us_arrests)
    assert result.verdicts["us"] == "contested"  # type: ignore[attr-defined]
    assert result.verdicts["mexico"] == "contested"  # type: ignore[attr-defined]
    assert _steps(result, "us")["mansfield-amendment"] == "contests"
    assert _steps(result, "mexico")["lsn-foreign-agents-2020"] == "contests"
    troops = {
        "consent": True,
        "leadership_removal": {"method": "capture", "us_military_on_ground": True},
    }
    mexico = _steps(_probe(troops), "mexico")
    assert mexico["const-76-iii"] == "contests"


def test_strikes_with_consent_classify_the_armed_conflict_by_date() -> None:
    book = load_law()
    during = assess(CONSENTED_STRIKES, as_of=RULAC_YEAR, book=book)
    after = assess(CONSENTED_STRIKES, as_of=JUNE_2025, book=book)
    claimed = assess(CONSENTED_STRIKES, as_of=dt.date(2025, 10, 1), book=book)
    before_claim = assess(CONSENTED_STRIKES, as_of=dt.date(2025, 9, 30), book=book)
    assert _steps(during, "international")["rulac-mexico-niac"] == "informs"
    gone = next(s for s in after.trace if s.rule == "rulac-mexico-niac")
    assert not gone.in_force
    assert "no longer in force" in gone.finding
    assert _steps(claimed, "international")["us-niac-claim-2025"] == "asserted"
    assert "us-niac-claim-2025" not in _steps(before_claim, "international")
    assert _steps(after, "international")["iccpr-extraterritorial-scope"] == "asserted"
    for result in (during, after, claimed):
        assert result.verdicts["international"] == "prohibited"
        assert result.verdicts["mexico"] == "prohibited"


def test_unilateral_supply_chain_strikes_are_assessed_as_strikes() -> None:
    strategy = load_scenario().get_strategy("unilateral-supply-chain-strikes")
    result = assess_strategy(load_dataset(), strategy, JUNE_2025, load_law())
    assert _steps(result, "mexico")["const-22-life"] == "prohibits"
    assert _steps(result, "international")["iccpr-6-life"] == "prohibits"


@pytest.mark.parametrize(
    ("day", "rule", "framework", "facts"),
    [
        (dt.date(2020, 12, 19), "lsn-foreign-agents-2020", "mexico", UNILATERAL_RAIDS),
        (dt.date(2025, 2, 20), "cartel-fto-designations-2025", "us", SANCTIONS),
        (dt.date(2025, 4, 2), "const-19-2025", "mexico", UNILATERAL_STRIKES),
        (dt.date(2025, 10, 1), "us-niac-claim-2025", "us", UNILATERAL_STRIKES),
    ],
)
def test_date_switches(day: dt.date, rule: str, framework: str, facts: Facts) -> None:
    book = load_law()
    before = assess(facts, as_of=day - dt.timedelta(days=1), book=book)
    on = assess(facts, as_of=day, book=book)
    assert rule not in _steps(before, framework)
    assert rule in _steps(on, framework)


def test_joint_capture_without_mexican_arrests_turns_contested_on_2020_12_19() -> None:
    levers = {**CAPTURE, "leadership_removal": {"method": "capture", "mexican_arrests": False}}
    assert _probe(levers, dt.date(2020, 12, 18)).verdicts["mexico"] == "permitted"  # type: ignore[attr-defined]
    assert _probe(levers, dt.date(2020, 12, 19)).verdicts["mexico"] == "contested"  # type: ignore[attr-defined]


def test_older_doctrines_are_in_force_on_earlier_dates() -> None:
    book = load_law()
    early = dt.date(1977, 6, 1)
    assert book.rule("international", "territorial-consent", early) is not None
    assert book.rule("us", "ker-frisbie", early) is not None
    ban = book.rule("us", "assassination-ban", early)
    assert ban is not None
    assert "11905" in ban.citation
    raid = assess(UNILATERAL_RAIDS, as_of=dt.date(1990, 1, 1), book=book)
    ker = next(s for s in raid.trace if s.rule == "ker-frisbie")
    assert ker.in_force


def test_no_rule_engaged_is_not_permitted() -> None:
    result = assess(NOTHING, as_of=JUNE_2025, book=load_law())
    assert set(result.verdicts.values()) == {"not engaged"}
    assert {s.rule for s in result.trace} == {"no rule engaged"}
    precursors = assess(PRECURSORS, as_of=JUNE_2025, book=load_law())
    steps = [s for s in precursors.trace if s.rule == "territorial-consent"]
    assert "Mexican territory" in steps[0].finding


def test_joint_operations_without_consent_are_reported_as_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    joint = {"organizations": ("sinaloa",), "intensity": 1.0}
    assert ignored_levers(Levers(joint_operations=joint, consent=False))
    assert not ignored_levers(Levers(joint_operations=joint, consent=True))
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "probe"\n[[strategy]]\nid = "status-quo"\nlabel = "Status quo"\n'
        '[[strategy]]\nid = "joint-alone"\nlabel = "x"\n[strategy.levers]\nconsent = false\n'
        'joint_operations = { organizations = ["sinaloa"] }\n'
    )
    assert main(["legal", "--scenario", str(scenario)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "joint-alone" in err[0]
    assert "joint_operations is ignored" in err[0]


def test_compare_table_abbreviates_every_verdict_without_ok() -> None:
    from counterflow.cli.compare import _SHORT_VERDICT
    from counterflow.legal import VERDICTS

    assert set(_SHORT_VERDICT) == set(VERDICTS)
    assert _SHORT_VERDICT["permitted"] == "perm"
    assert "ok" not in _SHORT_VERDICT.values()
