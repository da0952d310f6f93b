"""The library call and the Results object: notebook use, round trip, report rebuilt from disk."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import counterflow
from counterflow.cli import main
from counterflow.errors import InputError
from counterflow.model import TABLES, Results
from counterflow.model.results import CROSSING_COLUMNS

STRATEGIES = ("status-quo", "border-inspection-surge", "unilateral-drone-strikes")


@pytest.fixture(scope="module")
def results() -> Results:
    """A small comparison made as a notebook would make it."""
    scenario = counterflow.load_scenario()
    small = scenario.with_overrides(
        months=3,
        replications=2,
        strategy=[s.model_dump() for s in scenario.strategy if s.id in STRATEGIES],
    )
    calls: list[tuple[int, int]] = []
    found = counterflow.compare(small, progress=lambda done, total, _: calls.append((done, total)))
    assert calls[-1] == (6, 6)
    return found


def test_compare_returns_dataframes(results: Results) -> None:
    outcomes = results.outcomes()
    assert list(outcomes["strategy"]) == list(STRATEGIES)
    assert outcomes.loc[0, "delivered_change_pct"] == 0.0
    crossings = results.to_dataframe("crossings")
    assert list(crossings.columns) == list(CROSSING_COLUMNS)
    assert set(crossings["replication"]) == {0, 1}
    assert set(crossings["month"]) == {1, 2, 3}
    cooperation = results.to_dataframe("cooperation")
    assert len(cooperation) == 3 * 2 * 3
    verdicts = results.to_dataframe("verdicts")
    assert set(verdicts["framework"]) == {"international", "us", "mexico"}
    assert results.scenario.months == 3
    assert results.parameters["diplomacy.consent_threshold"] > 0
    assert results.version == counterflow.__version__
    # Tables are copies: editing one leaves the results as they were.
    crossings["arriving_kg"] = 0.0
    assert results.to_dataframe("crossings")["arriving_kg"].sum() > 0


def test_unknown_table_names_the_choices(results: Results) -> None:
    with pytest.raises(InputError, match="use one of: outcomes, drugs"):
        results.to_dataframe("flows")


def test_drug_kg_balance_in_every_run_and_month(results: Results) -> None:
    drugs = results.to_dataframe("drugs")
    balance = drugs["shipped_kg"] - drugs["seized_kg_mexico"] - drugs["seized_kg_us_ports"]
    pd.testing.assert_series_equal(balance, drugs["delivered_kg"], check_names=False, rtol=1e-12)


def test_round_trip_through_a_folder(results: Results, tmp_path: Path) -> None:
    out = results.to_folder(tmp_path / "saved")
    again = Results.from_folder(out)
    assert again.equals(results)
    for name in TABLES:
        pd.testing.assert_frame_equal(again.to_dataframe(name), results.to_dataframe(name))
    assert again.json_rows() == results.json_rows()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["written_by"] == "counterflow"
    assert "tables/crossings.parquet" in manifest["files"]


def test_spreadsheet_csvs_drop_rows_that_are_all_zero(results: Results, tmp_path: Path) -> None:
    out = results.to_folder(tmp_path / "saved")
    crossings = pd.read_csv(out / "crossings.csv")
    numbers = crossings[["arriving_kg", "seized_kg", "delivered_kg"]]
    assert (numbers != 0).any(axis=1).all()
    full = results.to_dataframe("crossings")
    kept = (full[["arriving_kg", "seized_kg", "delivered_kg"]] != 0).any(axis=1)
    assert len(crossings) == kept.sum() < len(full)


def test_report_rebuilt_from_the_folder_is_the_same_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["compare", "--months", "2", "--replications", "2", "--out", str(out), "--json"]
    saved, sys.stdout = sys.stdout, io.StringIO()
    try:
        assert main(args) == 0
    finally:
        sys.stdout = saved
    written = (out / "report.html").read_bytes()
    moved = tmp_path / "moved"
    shutil.copytree(out, moved)
    (moved / "report.html").unlink()
    assert main(["report", str(moved)]) == 0
    assert (moved / "report.html").read_bytes() == written


def test_report_of_a_folder_that_is_not_results(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a counterflow results folder" in err
    assert "Traceback" not in err


def test_labels_cannot_break_or_poison_results_csv(tmp_path: Path) -> None:
    scenario = counterflow.load_scenario()
    hostile = '=HYPERLINK("http://x", "click"), with "quotes"\nand a second line'
    small = scenario.with_overrides(
        months=1,
        replications=1,
        strategy=[
            {"id": "status-quo", "label": "Status quo"},
            {"id": "surge", "label": hostile, "levers": {"port_inspection": {"Tucson": 2.0}}},
        ],
    )
    out = counterflow.compare(small).to_folder(tmp_path / "out")
    table = pd.read_csv(out / "results.csv", keep_default_na=False)
    assert len(table) == 2
    assert list(table["strategy"]) == ["status-quo", "surge"]
    assert table.loc[1, "label"] == "'" + hostile
    assert float(table.loc[1, "delivered_kg"]) > 0


def test_importing_the_package_loads_no_model() -> None:
    code = (
        "import sys, counterflow, counterflow.model, counterflow.report;"
        "heavy = [m for m in ('numba', 'counterflow.assign', 'counterflow.traffic', "
        "'counterflow.model.run') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_a_second_run_into_a_busy_folder_is_refused(tmp_path: Path, capsys) -> None:
    from counterflow.outfolder import claim_out_folder

    out = tmp_path / "out"
    with claim_out_folder(out):
        assert main(["compare", "--months", "1", "--replications", "1", "--out", str(out)]) == 2
    err = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.strip() and not line.startswith("note:")
    ]
    assert len(err) == 1
    assert "another counterflow run" in err[0]


def test_a_failed_write_says_where_the_results_are(tmp_path: Path, capsys, monkeypatch) -> None:
    import errno

    from counterflow import outfolder

    real = outfolder.os.replace
    out = tmp_path / "out"
    out.mkdir()

    def full_disk(source: object, target: object) -> None:
        if Path(str(target)).parent == out:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outfolder.os, "replace", full_disk)
    code = main(["compare", "--months", "1", "--replications", "1", "--out", str(out), "--json"])
    err = [
        line
        for line in capsys.readouterr().err.splitlines()
        if line.strip() and not line.startswith(("note:", "counterflow: compare:"))  # progress
    ]
    assert code == 1
    assert len(err) == 1
    assert "No space left on device" in err[0]
    kept = Path(err[0].rsplit(" ", 1)[-1].rstrip("."))
    assert (kept / "results.csv").exists(), err[0]


def test_a_comparison_says_its_kind_and_has_no_ensemble_tables(results: Results) -> None:
    assert results.kind == "comparison"
    assert dict(results.ensemble) == {}
    assert "kind" not in results.manifest()  # a comparison's manifest.json is unchanged
    assert results.table_names()[0] == "outcomes"
    with pytest.raises(InputError, match="a comparison has no experiments table"):
        _ = results.experiments
    with pytest.raises(InputError, match="use one of: outcomes, drugs"):
        results.to_dataframe("robustness")
