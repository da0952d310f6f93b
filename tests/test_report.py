"""The comparison report as a briefing (issue 34): sections, findings, intervals, palette, record."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import counterflow
from counterflow.report.charts import nice_ticks
from counterflow.report.findings import findings
from counterflow.report.palette import NEUTRAL, colours_for, dash_for
from counterflow.scenario import BASELINE_ID

SECTIONS = ("findings", "comparison", "tradeoffs", "map", "over-time", "law", "record")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, counterflow.Results]:
    scenario = counterflow.load_scenario(None).with_overrides(months=3, replications=3)
    results = counterflow.compare(scenario)
    out = tmp_path_factory.mktemp("report") / "out"
    counterflow.save_results(results, out)
    return (out / "report.html").read_text(encoding="utf-8"), results


def test_sections_in_order_and_self_contained(report: tuple[str, counterflow.Results]) -> None:
    page, _ = report
    positions = [page.index(f'<section id="{key}">') for key in SECTIONS]
    assert positions == sorted(positions)
    for forbidden in ("<script", "<link", "@import", "url(", "src=", "https://"):
        assert forbidden not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), forbidden
    assert len(page.encode()) < 3_000_000
    assert "@media print" in page


def test_every_chart_has_a_text_alternative(report: tuple[str, counterflow.Results]) -> None:
    page, _ = report
    charts = re.findall(r'<svg xmlns[^>]*role="img">(.{0,20})', page)
    assert charts
    assert all(start.startswith("<title>") for start in charts)


def test_map_switch_has_one_layer_and_one_button_per_strategy(
    report: tuple[str, counterflow.Results],
) -> None:
    page, results = report
    ids = [s.id for s in results.scenario.strategy]
    assert page.count('class="map-switch"') == len(ids)
    layers = re.findall(r'<g class="flows flows-(\d+)" data-strategy="([^"]+)">', page)
    assert [strategy for _, strategy in layers] == ids
    for i in range(len(ids)):
        assert f"#map-s-{i}:checked~figure .flows-{i}{{display:inline}}" in page
    assert page.count(" checked>") == 1  # the status quo is shown first
    assert "kg arriving over the horizon</title>" in page  # crossings named on hover


def test_findings_say_only_what_the_intervals_support() -> None:
    base = {"strategy": BASELINE_ID, "label": "Status quo", "cooperation_end": 0.7}
    clear = {
        "strategy": "a",
        "label": "Clear cut",
        "delivered_change_pct": -2.0,
        "delivered_change_pct_p05": -3.0,
        "delivered_change_pct_p95": -1.0,
        "excess_homicides": 100.0,
        "excess_homicides_p05": 50.0,
        "excess_homicides_p95": 150.0,
        "cooperation_end": 0.7,
        "legal_international": "prohibited",
        "legal_us": "contested",
        "legal_mexico": "prohibited",
    }
    unclear = {
        **clear,
        "strategy": "b",
        "label": "Unclear",
        "delivered_change_pct": 0.9,
        "delivered_change_pct_p05": -0.5,
        "delivered_change_pct_p95": 2.0,
        "excess_homicides_p05": -10.0,
        "legal_international": "permitted",
        "legal_us": "permitted",
        "legal_mexico": "permitted",
    }
    text = findings([base, clear, unclear], months=24, replications=20)
    assert "<b>Clear cut</b> cuts the drugs delivered to the US by 2.0% (5–95%: -3.0% to" in text
    assert "adds 100 homicides" in text
    assert "prohibited under international law and Mexican law, contested under US law" in text
    unclear_sentence = text.split("<b>Unclear</b>")[1]
    assert "has no clear effect on the drugs delivered" in unclear_sentence
    assert "cuts" not in unclear_sentence
    assert "raises" not in unclear_sentence
    assert "has no clear effect on homicides" in unclear_sentence
    assert "prohibited" not in unclear_sentence
    assert "Of 2 strategies, 1 cut" in text


def test_palette_keeps_the_status_quo_neutral_and_twelve_strategies_apart() -> None:
    ids = [BASELINE_ID, *(f"s{i}" for i in range(11))]
    colours = colours_for(ids)
    assert colours[BASELINE_ID] == NEUTRAL
    assert len(set(colours.values())) == 12
    assert colours_for(["s0", BASELINE_ID])[BASELINE_ID] == NEUTRAL  # wherever it stands
    many = [BASELINE_ID, *(f"s{i}" for i in range(14))]
    styles = {(colours_for(many)[s], dash_for(many, s)) for s in many}
    assert len(styles) == len(many)  # past 11 the line pattern tells them apart


@pytest.mark.parametrize(
    ("low", "high"), [(0.0, 0.73), (-4.9, 9.2), (0.0, 11_405.0), (2.0, 2.0), (-0.2, 0.6)]
)
def test_ticks_cover_the_range_in_round_steps(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low
    assert ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_record_names_the_command_changed_parameters_and_sources(tmp_path: Path) -> None:
    scenario = counterflow.load_scenario(None).with_overrides(months=1, replications=1)
    changed = scenario.with_overrides(
        parameters={**scenario.parameters, "market.demand_elasticity.fentanyl": 0.2}
    )
    for case, expect in ((scenario, "counterflow compare --months 1 --replications 1 --out DIR"),
                         (changed, "counterflow compare SCENARIO.toml --out DIR")):  # fmt: skip
        results = counterflow.compare(case)
        out = tmp_path / str(len(expect))
        counterflow.save_results(results, out)
        page = (out / "report.html").read_text()
        record = page[page.index('<section id="record">') :]
        assert expect in record
        assert "Every parameter, its value and its source" in record
        assert "counterflow version" in record
    assert "market.demand_elasticity.fentanyl</td><td>0.2</td>" in record
