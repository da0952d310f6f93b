"""An ensemble's Results: its folder round trip, its report.html and ``counterflow report DIR``.

Small on purpose: 2 strategies, 2 months, 1 replication, a Saltelli design of 8 futures over
2 uncertainties (so sobol.csv exists); the PRIM section is filled from a synthetic table with
a known box (the real futures are too few to promise one).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from counterflow.cli import main
from counterflow.errors import InputError
from counterflow.exploration.ensemble import discover, explore, plan_ensemble, write_folder
from counterflow.exploration.parts import KIND
from counterflow.model import Results
from counterflow.model.results import ENSEMBLE_MANIFEST_KIND
from counterflow.report import build_ensemble_report, build_report
from counterflow.scenario import Scenario, builtin_scenario_path, load_scenario

KEEP = ("status-quo", "border-inspection-surge")
UNCERTAINTIES = {"market.demand_elasticity.fentanyl": (0.1, 1.0), "traffic.port_alpha": (0.0, 4.0)}
RULES = "delivered_change_pct<=-1"


def small_scenario() -> Scenario:
    builtin = load_scenario(builtin_scenario_path())
    return builtin.with_overrides(
        months=2,
        replications=1,
        strategy=[s for s in builtin.strategy if s.id in KEEP],
        uncertainties=UNCERTAINTIES,
    )


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, Path]:
    out = tmp_path_factory.mktemp("report") / "out"
    found = explore(small_scenario(), futures=2, sampler="saltelli", satisfice=RULES, out=out)
    return found, out


def synthetic_prim() -> pd.DataFrame:
    """PRIM rows of a known case: strategy A fails ``<= -1`` exactly where ``a < 0.4``."""
    rng = np.random.default_rng(5)
    n = 300
    a, b = rng.random(n), rng.random(n)
    rows = pd.DataFrame(
        {
            "strategy": "A",
            "future_id": np.arange(n),
            "replication": 0,
            "unc__a": a,
            "unc__b": b,
            "delivered_change_pct": np.where(a < 0.4, 2.0, -3.0),
            "error": None,
        }
    )
    spec = plan_ensemble(small_scenario(), futures=4, sampler="factorial", satisfice=RULES)
    return discover(rows, spec)


def test_explore_returns_ensemble_results(ran: tuple[Results, Path]) -> None:
    results, _ = ran
    assert results.kind == "ensemble"
    assert results.rows == ()
    assert len(results.experiments) == 8 * 2
    assert set(results.robustness["strategy"]) == set(KEEP)
    sobol = results.sobol
    assert sobol is not None
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(sobol.columns)
    assert results.ensemble["sampler"] == "saltelli"
    assert results.ensemble["satisfice"] == RULES
    assert results.table_names() == ("experiments", "robustness", "sobol", "prim")
    assert results.to_dataframe("robustness").equals(results.robustness)
    with pytest.raises(InputError, match="use one of: experiments, robustness, sobol, prim"):
        results.to_dataframe("crossings")
    # Copies: editing one leaves the results as they were.
    table = results.experiments
    table["delivered_kg"] = -1.0
    assert (results.experiments["delivered_kg"] >= 0).all()


def test_folder_round_trip_equals(ran: tuple[Results, Path]) -> None:
    results, out = ran
    back = Results.from_folder(out)
    assert back.kind == "ensemble"
    assert back.equals(results)
    assert not back.equals(
        replace(results, tables={**results.tables, "robustness": results.robustness.head(1)})
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == KIND == ENSEMBLE_MANIFEST_KIND
    assert manifest["state"] == "complete"
    assert manifest["experiments"] == 16
    assert "report.html" in manifest["files"]
    assert "tables/prim.parquet" in manifest["files"]


def test_round_trip_with_prim_boxes(ran: tuple[Results, Path], tmp_path: Path) -> None:
    results = replace(ran[0], tables={**ran[0].tables, "prim": synthetic_prim()})
    out = write_folder(results, tmp_path / "out")
    back = Results.from_folder(out)
    assert back.equals(results)
    csv = pd.read_csv(out / "prim" / "A__delivered_change_pct.csv")
    assert list(csv["part"].unique()) == ["trajectory", "box"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "A: fails on delivered_change_pct" in page
    assert "<td>unc__a</td>" in page  # a restricted uncertainty is listed
    assert "<td>unc__b</td>" not in page.split("Peeling trajectory")[0]  # b is not restricted


def test_report_sections(ran: tuple[Results, Path]) -> None:
    results, out = ran
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page == build_ensemble_report(results) == build_report(results, None)  # type: ignore[arg-type]
    for heading in (
        "Robustness by outcome",
        "Satisficing",
        "scenario discovery (PRIM)",
        "Sobol' indices",
    ):
        assert heading in page
    assert "<h3>delivered_kg</h3>" in page
    assert page.index('id="findings"') < page.index('id="ensemble"') < page.index('id="record"')
    assert "counterflow explore SCENARIO.toml --futures" in page
    assert "mean regret" in page
    assert f"<code>{RULES.replace('<', '&lt;')}</code>" in page
    assert "<script" not in page


def test_report_escapes_what_the_user_wrote(ran: tuple[Results, Path]) -> None:
    results = ran[0]
    named = replace(results, scenario=results.scenario.with_overrides(name="a<b>&c"))
    page = build_ensemble_report(named)
    assert "a&lt;b&gt;&amp;c" in page
    assert "a<b>" not in page


def test_counterflow_report_rebuilds_the_same_page(
    ran: tuple[Results, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ran[1]
    before = (out / "report.html").read_bytes()
    target = tmp_path / "again.html"
    assert main(["report", str(out), "--out", str(target)]) == 0
    assert target.read_bytes() == before
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").read_bytes() == before
    assert "wrote" in capsys.readouterr().out


def test_report_refuses_an_unfinished_ensemble(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "running"
    folder.mkdir()
    manifest = {"kind": KIND, "state": "running", "written_by": "counterflow", "files": []}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unfinished ensemble" in err


def test_results_says_which_kind(ran: tuple[Results, Path]) -> None:
    results = ran[0]
    with pytest.raises(ValueError, match="an ensemble has no outcome rows"):
        replace(results, rows=({"strategy": "x"},))
    with pytest.raises(ValueError, match="Results needs the tables drugs"):
        replace(results, kind="comparison")
    with pytest.raises(ValueError, match="kind is"):
        replace(results, kind="other")
