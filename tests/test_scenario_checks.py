"""Scenario edits and checks as a user meets them: every problem at once, explicit consent,
validated overrides, quoted dotted keys, and the command line's one-line errors."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from counterflow.cli import main
from counterflow.scenario import (
    Levers,
    ScenarioError,
    builtin_scenario_path,
    find_problems,
    load_scenario,
)


def builtin_data() -> dict[str, Any]:
    return tomllib.loads(builtin_scenario_path().read_text())


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


STRIKES_WITHOUT_CONSENT = """
name = "probe"
[[strategy]]
id = "status-quo"
label = "Status quo"
[[strategy]]
id = "strikes"
label = "Strikes, consent not stated"
[strategy.levers]
isr_coverage = 0.5
leadership_removal = { method = "strike", intensity = 0.5 }
"""


@pytest.mark.parametrize(
    "levers",
    [
        {"isr_coverage": 0.5},
        {"leadership_removal": {"method": "capture", "intensity": 1.0}},
        {"joint_operations": {"organizations": ["cjng"]}},
    ],
)
def test_territorial_levers_need_explicit_consent(levers: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="consent is required"):
        Levers.model_validate(levers)
    assert Levers.model_validate({**levers, "consent": False}).consent is False


def test_other_levers_keep_the_default_consent() -> None:
    assert Levers.model_validate({"port_inspection": {"Tucson": 1.5}}).consent is True
    assert Levers.model_validate({"isr_coverage": 0.0}).consent is True


def test_missing_consent_is_one_line_naming_the_strategy(tmp_path: Path, capsys) -> None:
    scenario = write_toml(tmp_path / "s.toml", STRIKES_WITHOUT_CONSENT)
    out = tmp_path / "out"
    assert main(["compare", str(scenario), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "strategy['strikes'].levers" in err[0]
    assert "consent = true" in err[0]
    assert not out.exists()


def test_builtin_scenario_states_consent_where_it_must() -> None:
    for strategy in builtin_data()["strategy"]:
        levers = strategy.get("levers", {})
        acting = [k for k in ("joint_operations", "leadership_removal") if k in levers]
        if acting or levers.get("isr_coverage", 0) > 0:
            assert "consent" in levers, strategy["id"]


def test_validate_lists_every_problem_in_one_pass(tmp_path: Path, capsys) -> None:
    scenario = write_toml(
        tmp_path / "many.toml",
        """
name = "many problems"
months = 0
[parameters]
"orgs.no_such_thing" = 1.0
[[strategy]]
id = "status-quo"
label = "Status quo"
[[strategy]]
id = "joint"
label = "Joint operations, consent not stated"
[strategy.levers]
joint_operations = { organizations = ["cjng"] }
[[strategy]]
id = "sanction-ghosts"
label = "Sanctions on an unknown group"
[strategy.levers]
sanctions = ["los-fantasmas"]
""",
    )
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "months: Input should be greater than or equal to 1" in err
    assert "parameters.orgs.no_such_thing: unknown parameter" in err
    assert "strategy['joint'].levers: consent is required" in err
    assert "strategy['sanction-ghosts'].levers.sanctions: unknown organization" in err
    assert all(line.startswith(str(scenario)) for line in err.strip().splitlines())
    assert "Traceback" not in err


def test_an_unquoted_dotted_key_is_told_to_quote_it(tmp_path: Path) -> None:
    scenario = write_toml(
        tmp_path / "dotted.toml",
        """
name = "dotted"
[parameters]
orgs.split_kill = 0.5
[[strategy]]
id = "status-quo"
label = "Status quo"
""",
    )
    _, problems = find_problems(scenario)
    assert [p.key for p in problems] == ["parameters.orgs"]
    assert 'write "orgs.split_kill" = ...' in problems[0].message


def test_overrides_are_validated_like_the_file() -> None:
    scenario = load_scenario()
    assert scenario.with_overrides(months=12).months == 12
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides(months=0, replications=0)
    keys = [p.key for p in caught.value.problems]
    assert keys == ["months", "replications"]
    with pytest.raises(ScenarioError, match="unknown scenario key"):
        scenario.with_overrides(month=3)


@pytest.mark.parametrize(
    ("option", "value"), [("--months", "0"), ("--months", "601"), ("--replications", "0")]
)
def test_command_line_overrides_are_checked(option: str, value: str, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["compare", option, value, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"counterflow: error: {option}: ")
    assert not out.exists()


def test_a_bad_out_is_refused_before_the_run(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("mine\n")
    started = time.perf_counter()
    assert main(["compare", "--out", str(blocker)]) == 2
    assert time.perf_counter() - started < 5.0  # before any solve (the run takes ~30 s)
    assert "a-file" in capsys.readouterr().err
    assert blocker.read_text() == "mine\n"
    assert main(["compare", "--out", str(tmp_path / "missing" / "out")]) == 2


def test_uncertainties_are_said_to_be_unused_by_compare(tmp_path: Path, capsys) -> None:
    small = write_toml(tmp_path / "s.toml", builtin_scenario_path().read_text())
    assert load_scenario(small).uncertainties
    args = ["compare", str(small), "--months", "1", "--replications", "1", "--json"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert "used only by `counterflow explore`" in capsys.readouterr().err


def test_the_table_fits_100_columns(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["compare", "--months", "1", "--replications", "1", "--out", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("wrote")]
    assert any("combined" in line for line in lines)
    assert max(len(line) for line in lines) <= 100
