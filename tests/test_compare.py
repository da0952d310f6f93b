"""`counterflow compare` end to end on the built-in scenario, and bad scenarios that leave the
output folder untouched."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from counterflow.cli import main
from counterflow.data import builtin_path, load_dataset
from counterflow.model import RESULT_COLUMNS, prepare, simulate
from counterflow.model.results import REGION_COLUMNS
from counterflow.scenario import BASELINE_ID, builtin_scenario_path, load_scenario

FLOW_LEVERS = (
    "cooperative-interdiction",
    "border-inspection-surge",
    "precursor-controls",
    "fto-financial-sanctions",
    "combined-cooperative-package",
)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], Path, str]:
    out = tmp_path_factory.mktemp("compare") / "out"
    import io
    import sys

    buffer = io.StringIO()
    saved = sys.stdout
    sys.stdout = buffer
    try:
        code = main(
            ["compare", "--months", "3", "--replications", "2", "--out", str(out), "--json"]
        )
    finally:
        sys.stdout = saved
    assert code == 0
    text = buffer.getvalue()
    return json.loads(text), out, text


def test_rows_follow_the_outcome_definitions(compared) -> None:
    rows, out, _ = compared
    scenario = load_scenario()
    assert [r["strategy"] for r in rows] == list(scenario.strategy_ids)
    assert set(rows[0]) == set(RESULT_COLUMNS)
    by_id = {r["strategy"]: r for r in rows}
    base = by_id[BASELINE_ID]
    assert base["delivered_change_pct"] == 0.0
    assert base["diversion_share"] == 0.0
    for row in rows:
        assert row["seized_kg"] == pytest.approx(
            row["seized_kg_mexico"] + row["seized_kg_us_ports"]
        )
        assert row["delivered_kg"] == pytest.approx(
            sum(row[f"delivered_kg_{d}"] for d in ("fentanyl", "methamphetamine", "cocaine"))
        )
        assert 0.0 <= row["diversion_share"] <= 1.0
        assert row["not_computed"] == []
        assert 0.0 <= row["cooperation_min"] <= row["cooperation_end"] <= 1.0
        for framework in ("international", "us", "mexico"):
            assert row[f"legal_{framework}"] in (
                "not engaged",
                "permitted",
                "contested",
                "prohibited",
            )
    # Every strategy with a flow lever delivers fewer kg (DESIGN.md, expected directions).
    for strategy in FLOW_LEVERS:
        assert by_id[strategy]["delivered_change_pct"] < 0, strategy
    # Organizations in time are computed, with intervals; only strikes harm civilians.
    for row in rows:
        for outcome in ("excess_homicides", "fragmentation_events", "civilian_harm"):
            assert row[outcome] is not None
            assert row[f"{outcome}_p05"] <= row[outcome] <= row[f"{outcome}_p95"]
        if row["strategy"] not in ("unilateral-drone-strikes", "unilateral-supply-chain-strikes"):
            assert row["civilian_harm"] == 0.0
        if row["strategy"] not in ("joint-capture-with-consent", "unilateral-drone-strikes"):
            assert row["fragmentation_events"] == 0.0
    assert base["excess_homicides"] == base["excess_homicides_p95"] == 0.0
    # Unilateral strikes lower cooperation; the catalogue's legal verdicts (issue 6).
    assert by_id["unilateral-drone-strikes"]["cooperation_min"] < base["cooperation_min"]
    assert [
        by_id["unilateral-drone-strikes"][f"legal_{f}"] for f in ("international", "us", "mexico")
    ] == [
        "prohibited",
        "contested",
        "prohibited",
    ]
    results = pd.read_csv(out / "results.csv", keep_default_na=False)
    assert list(results.columns) == list(RESULT_COLUMNS)
    for column in ("excess_homicides", "cooperation_end", "legal_international", "legal_us"):
        assert (results[column] != "").all(), column
    regions = pd.read_csv(out / "regions.csv")
    assert list(regions.columns) == list(REGION_COLUMNS)
    assert len(regions) == len(rows) * 2 * 3 * 32
    assert set(regions["replication"]) == {0, 1}
    crossings = pd.read_csv(out / "crossings.csv")
    assert list(crossings.columns) == [
        "strategy",
        "replication",
        "month",
        "crossing_id",
        "crossing_name",
        "state_code",
        "field_office",
        "commodity",
        "arriving_kg",
        "seized_kg",
        "delivered_kg",
    ]
    assert set(crossings["month"]) == {1, 2, 3}
    assert set(crossings["replication"]) == {0, 1}
    report = (out / "report.html").read_text()
    assert report.startswith("<!DOCTYPE html>")
    assert "<svg" in report
    for section in ("Findings", "Comparison", "Trade-offs", "Map", "Over time", "Law"):
        assert f"<h2>{section}" in report, section
    assert "not legal advice" in report
    for forbidden in ("<script", "http://cdn", "https://", "<link"):
        assert forbidden not in report.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_same_seed_same_bytes(compared, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, first = compared
    again = tmp_path / "again"
    args = ["compare", "--months", "3", "--replications", "2", "--out", str(again), "--json"]
    assert main(args) == 0
    assert capsys.readouterr().out == first
    for name in ("results.csv", "crossings.csv", "regions.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_baseline_reproduces_the_calibration() -> None:
    scenario = load_scenario().model_copy(update={"months": 1})
    context = prepare(scenario)
    run = simulate(context, scenario.get_strategy(BASELINE_ID))
    targets = pd.read_csv(builtin_path("mexico") / "calibration_targets.csv")
    targets["kg_per_month"] = targets["pounds"] * 0.45359237 / 12
    model = run.crossings.groupby(["commodity", "field_office"])["seized_kg"].sum()
    for drug, rows in targets.groupby("drug"):
        assert model[drug].sum() == pytest.approx(rows["kg_per_month"].sum(), rel=0.10)
    fentanyl = targets[targets["drug"] == "fentanyl"].set_index("cbp_field_office")["kg_per_month"]
    for office in ("Tucson", "San Diego"):
        modelled = model["fentanyl"].get(office, 0.0) / model["fentanyl"].sum()
        assert abs(modelled - fentanyl[office] / fentanyl.sum()) <= 0.10
    # Elastic supply reproduces the calibrated shipments at the status quo.
    shipped = run.by_drug.groupby("drug")["shipped_kg"].sum()
    calibrated = load_dataset().supply.groupby("drug")["kg_per_month"].sum()
    np.testing.assert_allclose(shipped[calibrated.index], calibrated, rtol=2e-2)


def scenario_text(change) -> str:
    data = tomllib.loads(builtin_scenario_path().read_text())
    change(data)
    lines = [
        f"{k} = {v.isoformat() if isinstance(v, dt.date) else json.dumps(v)}"
        for k, v in data.items()
        if not isinstance(v, (dict, list))
    ]
    for table in ("parameters", "uncertainties"):
        lines.append(f"[{table}]")
        lines.extend(f'"{k}" = {json.dumps(v)}' for k, v in data.get(table, {}).items())
    for strategy in data["strategy"]:
        lines.append("[[strategy]]")
        lines.extend(f"{k} = {json.dumps(v)}" for k, v in strategy.items() if k != "levers")
        if "levers" in strategy:
            lines.append("[strategy.levers]")
            for key, value in strategy["levers"].items():
                if isinstance(value, dict):
                    inner = ", ".join(
                        f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()
                    )
                    lines.append(f"{key} = {{ {inner} }}")
                else:
                    lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def broken_network(folder: Path, kind: str) -> None:
    shutil.copytree(builtin_path("mexico"), folder)
    if kind == "missing file":
        (folder / "us_hubs.csv").unlink()
    elif kind == "price":
        prices = pd.read_csv(folder / "prices.csv", dtype=str, keep_default_na=False)
        prices.loc[0, "usd_per_kg"] = "0"
        prices.to_csv(folder / "prices.csv", index=False)
    elif kind == "shares":
        shares = pd.read_csv(folder / "control_shares.csv", dtype=str, keep_default_na=False)
        shares.loc[0, "share"] = "0.99"
        shares.to_csv(folder / "control_shares.csv", index=False)
    elif kind == "series":
        counts = pd.read_csv(folder / "homicides.csv", dtype=str, keep_default_na=False)
        counts.loc[3, "series"] = "police"
        counts.to_csv(folder / "homicides.csv", index=False)
    elif kind == "neighbours":
        pairs = pd.read_csv(folder / "state_neighbours.csv", dtype=str, keep_default_na=False)
        pairs.iloc[1:].to_csv(folder / "state_neighbours.csv", index=False)
    elif kind == "disconnected":
        edges = pd.read_csv(folder / "edges.csv", dtype=str, keep_default_na=False)
        touching = (edges["from_node"] == "prod-culiacan-labs") | (
            edges["to_node"] == "prod-culiacan-labs"
        )
        edges[~touching].to_csv(folder / "edges.csv", index=False)


CASES = {
    "unknown key": (lambda d: d.update(colour="red"), None, "colour: unknown key"),
    "wrong type": (
        lambda d: d.update(months="two"),
        None,
        "months: Input should be a valid integer",
    ),
    "unknown organization": (
        lambda d: d["strategy"][4]["levers"]["sanctions"].append("medellin"),
        None,
        "unknown organization 'medellin'",
    ),
    "unknown state": (
        lambda d: d["strategy"][0].update(levers={"state_enforcement": {"XX": 2.0}}),
        None,
        "unknown state",
    ),
    "unknown port": (
        lambda d: d["strategy"][2]["levers"]["port_inspection"].update(Tuscon=2.0),
        None,
        "unknown port or field office",
    ),
    "alpha below 0": (
        lambda d: d["parameters"].update({"traffic.port_alpha": -1.0}),
        None,
        "traffic.port_alpha: -1.0 is outside",
    ),
    "beta above 20": (
        lambda d: d["parameters"].update({"traffic.port_beta": 25.0}),
        None,
        "traffic.port_beta: 25.0 is outside",
    ),
    "kappa not positive": (
        lambda d: d["parameters"].update({"traffic.port_kg_per_lane_month": 0.0}),
        None,
        "port_kg_per_lane_month: 0.0 is outside",
    ),
    "unknown parameter": (
        lambda d: d["parameters"].update({"traffic.magic": 1.0}),
        None,
        "unknown parameter",
    ),
    "path hazard over 0.5": (
        lambda d: d["parameters"].update({"traffic.road_hazard_per_km": 0.001}),
        None,
        "hazard sum",
    ),
    "price not positive": (lambda _: None, "price", "usd_per_kg = '0'; give a number > 0"),
    "shares over 1": (lambda _: None, "shares", "at most 1"),
    "disconnected network": (lambda _: None, "disconnected", "cannot reach any port of entry"),
    "missing data file": (lambda _: None, "missing file", "missing data file us_hubs.csv"),
    "probability above 1": (
        lambda d: d["parameters"].update({"orgs.fragmentation_after_killing": 1.5}),
        None,
        "orgs.fragmentation_after_killing: 1.5 is outside [0, 1]",
    ),
    "range low above high": (
        lambda d: d["uncertainties"].update({"violence.removal_local_effect": [0.8, 0.3]}),
        None,
        "low exceeds high",
    ),
    "negative effect size": (
        lambda d: d["parameters"].update({"violence.removal_neighbour_effect": -0.3}),
        None,
        "violence.removal_neighbour_effect: -0.3 is outside",
    ),
    "replications below 1": (
        lambda d: d.update(replications=0),
        None,
        "replications: Input should be greater than or equal to 1",
    ),
    "months below 1": (
        lambda d: d.update(months=0),
        None,
        "months: Input should be greater than or equal to 1",
    ),
    "homicide year without data": (
        lambda d: d.update(homicide_year=2019),
        None,
        "homicide_year: no homicide counts for 2019",
    ),
    "unknown homicide series": (
        lambda d: d.update(homicide_series="police"),
        None,
        "homicide_series: Input should be 'sesnsp' or 'inegi'",
    ),
    "homicide series unknown in data": (lambda _: None, "series", "unknown series 'police'"),
    "neighbours one way": (lambda _: None, "neighbours", "list every pair in both directions"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_leaves_the_output_folder_untouched(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, network_fault, expected = CASES[case]

    def edit(data: dict) -> None:
        change(data)
        data["months"] = data["months"] if case in ("wrong type", "months below 1") else 1
        if network_fault:
            data["network"] = str(tmp_path / "net")

    if network_fault:
        broken_network(tmp_path / "net", network_fault)
    scenario = tmp_path / "bad.toml"
    scenario.write_text(scenario_text(edit))
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("earlier results\n")
    code = main(["compare", str(scenario), "--out", str(out), "--force"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.startswith("counterflow: error")]
    assert len(lines) == 1
    assert expected in lines[0], lines[0]
    assert "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["results.csv"]
    assert (out / "results.csv").read_text() == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
