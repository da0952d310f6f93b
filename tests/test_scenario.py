"""Scenario files: the built-in catalogue, one bad file per error kind, init and validate."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.data import load_dataset
from counterflow.scenario import (
    ScenarioError,
    builtin_scenario_path,
    check_against_dataset,
    load_scenario,
    parse_scenario,
)

SIX = ["sinaloa", "cjng", "noreste", "golfo", "familia-michoacana", "carteles-unidos"]
OFFICES = {"San Diego": 1.5, "Tucson": 1.5, "El Paso": 1.5, "Laredo": 1.5}


def builtin_data() -> dict:
    return tomllib.loads(builtin_scenario_path().read_text(encoding="utf-8"))


def test_builtin_catalogue_is_the_design_one() -> None:
    scenario = load_scenario()
    assert scenario.name == "mexico-2025"
    assert scenario.strategy_ids == (
        "status-quo",
        "cooperative-interdiction",
        "border-inspection-surge",
        "precursor-controls",
        "fto-financial-sanctions",
        "joint-capture-with-consent",
        "unilateral-drone-strikes",
        "combined-cooperative-package",
        "unilateral-supply-chain-strikes",
    )
    levers = {s.id: s.levers for s in scenario.strategy}
    assert levers["status-quo"] == type(levers["status-quo"])()
    assert levers["cooperative-interdiction"].joint_operations.organizations == tuple(SIX)
    assert levers["cooperative-interdiction"].isr_coverage == 0.3
    assert levers["border-inspection-surge"].port_inspection == OFFICES
    assert levers["precursor-controls"].precursor_inspection == 0.5
    assert levers["fto-financial-sanctions"].sanctions == tuple(SIX)
    capture, strike = levers["joint-capture-with-consent"], levers["unilateral-drone-strikes"]
    assert (capture.leadership_removal.method, strike.leadership_removal.method) == (
        "capture",
        "strike",
    )
    assert capture.consent
    assert not strike.consent
    # The two removal strategies differ only in method and consent.
    assert (
        capture.model_copy(
            update={"consent": False, "leadership_removal": strike.leadership_removal}
        )
        == strike
    )
    combined = levers["combined-cooperative-package"]
    assert combined.port_inspection == OFFICES
    assert combined.sanctions == tuple(SIX)
    assert combined.precursor_inspection == 0.5
    assert combined.joint_operations == levers["cooperative-interdiction"].joint_operations
    supply = levers["unilateral-supply-chain-strikes"]
    assert not supply.consent
    assert supply.isr_coverage == 0.5
    assert supply.supply_strikes is not None
    assert supply.supply_strikes.capacity_share == 0.1
    assert check_against_dataset(scenario, load_dataset(scenario.network)) == []


def test_builtin_uncertainties_cover_every_parameter() -> None:
    from counterflow.scenario.parameters import PARAMETERS

    scenario = load_scenario()
    # Guards such as the solver's budget (low = high) are not uncertainties.
    uncertain = {key for key, parameter in PARAMETERS.items() if parameter.low < parameter.high}
    assert set(scenario.uncertainties) == uncertain
    for key, (low, high) in scenario.uncertainties.items():
        assert (low, high) == (PARAMETERS[key].low, PARAMETERS[key].high), key
        assert low < high, key


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, path="s.toml")
    return [str(p) for p in caught.value.problems]


def mutate(change) -> dict:
    data = builtin_data()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(monthz=3), "monthz: unknown key"),
        (
            lambda d: d["strategy"][1]["levers"].update(isr_coverag=0.3),
            "strategy['cooperative-interdiction'].levers.isr_coverag: unknown key",
        ),
        (lambda d: d.update(months="many"), "months: Input should be a valid integer"),
        (lambda d: d.update(months=0), "months: Input should be greater than or equal to 1"),
        (
            lambda d: d.update(replications=0),
            "replications: Input should be greater than or equal to 1",
        ),
        (lambda d: d.update(seed=-1), "seed: Input should be greater than or equal to 0"),
        (lambda d: d["strategy"].pop(0), "no strategy with id 'status-quo'"),
        (
            lambda d: d["strategy"].append({"id": "status-quo", "label": "again"}),
            "strategy ids must be unique",
        ),
        (lambda d: d["strategy"][1].update(id="Bad Id"), "String should match pattern"),
        (
            lambda d: d["strategy"][3]["levers"].update(precursor_inspection=1.5),
            "precursor_inspection: Input should be less than or equal to 1",
        ),
        (
            lambda d: d["strategy"][2]["levers"]["port_inspection"].update(Tucson=-1),
            "port_inspection.Tucson: Input should be greater than 0",
        ),
        (
            lambda d: d["strategy"][5]["levers"]["leadership_removal"].update(method="raid"),
            "leadership_removal.method: Input should be 'capture' or 'strike'",
        ),
        (
            lambda d: d["uncertainties"].update({"traffic.supply_elasticity": [2.0, 1.0]}),
            "low exceeds high",
        ),
        (
            lambda d: d["parameters"].update({"traffic.supply_elasticity": float("nan")}),
            "give a finite number",
        ),
        (lambda d: d["parameters"].update({"NoDots": 1.0}), "String should match pattern"),
    ],
)
def test_bad_scenario(change, expected: str) -> None:
    problems = problems_of(mutate(change))
    assert any(expected in p for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    data = mutate(lambda d: d.update(months=0, replications=0, colour="red"))
    assert len(problems_of(data)) == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["strategy"][2]["levers"]["port_inspection"].update(Tuscon=1.5),
            "port_inspection.Tuscon: unknown port or field office",
        ),
        (
            lambda d: d["strategy"][0].update(levers={"state_enforcement": {"XXX": 1.2}}),
            "state_enforcement.XXX: unknown state",
        ),
        (
            lambda d: d["strategy"][4]["levers"]["sanctions"].append("medellin"),
            "unknown organization 'medellin'",
        ),
    ],
)
def test_unknown_references_in_levers(change, expected: str) -> None:
    scenario = parse_scenario(mutate(change))
    problems = [str(p) for p in check_against_dataset(scenario, load_dataset())]
    assert any(expected in p for p in problems), problems


def test_init_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mine.toml"
    assert main(["init", str(target)]) == 0
    assert target.read_text() == builtin_scenario_path().read_text()
    assert main(["validate", str(target)]) == 0
    assert "OK (9 strategies" in capsys.readouterr().out
    # init never overwrites by accident.
    assert main(["init", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    text = (
        target.read_text()
        .replace("months = 24 ", "months = 0 ")
        .replace("isr_coverage = 0.3", "isr_coverage = 2")
    )
    target.write_text(text)
    assert main(["validate", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3  # months and isr_coverage in two strategies
    assert all(line.startswith(f"{target}: ") for line in err)
    assert "Traceback" not in "".join(err)


def test_validate_bad_toml_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    assert main(["validate", str(broken)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "absent.toml")]) == 2
    assert "scenario file not found" in capsys.readouterr().err
