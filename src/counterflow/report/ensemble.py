"""The HTML report of an ensemble (``counterflow explore``): static tables, no script.

A pure function of an ensemble's :class:`~counterflow.model.Results`: robustness per outcome
(mean, 5% and 95% quantiles over the futures, regret against the best strategy in each
future), satisficing shares when rules were given, the PRIM boxes of the futures where a
strategy fails its rules, and Sobol' indices when the futures were sampled for them. The page
frame and styles are the comparison report's (:mod:`counterflow.report.style`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from counterflow.model.outcomes import OUTCOMES
from counterflow.model.results import ENSEMBLE, Results
from counterflow.report.record import record as record_section
from counterflow.report.style import STYLE
from counterflow.scenario import BASELINE_ID

__all__ = ["build_ensemble_report"]

_UNITS = {outcome.name: outcome.unit for outcome in OUTCOMES}
_DESCRIPTIONS = {outcome.name: outcome.description for outcome in OUTCOMES}
_ROBUSTNESS = (
    ("mean", "mean"),
    ("p05", "5%"),
    ("p95", "95%"),
    ("mean_regret", "mean regret"),
    ("max_regret", "max regret"),
    ("p95_regret", "95% regret"),
    ("n_futures", "futures"),
    ("n_failed", "failed"),
)
_SENSES = {"min": "lower is better", "max": "higher is better"}


def _cell(value: Any) -> str:
    """One number or word as table text: missing values as a grey dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<span class="nc">–</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return _float(value)
    return html.escape(str(value))


def _float(value: float) -> str:
    """Whole numbers from 1,000 up, two decimals from 1, else three significant digits."""
    if value == 0.0 or abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def _plain(value: Any) -> Any:
    """A table value as a Python scalar (NumPy scalars and pandas' NA unwrapped)."""
    if value is None or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> str:
    """``frame``'s ``columns`` (key, title) as an HTML table; absent columns left out."""
    shown = [(key, title) for key, title in columns if key in frame.columns]
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in shown)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(_plain(row[key]))}</td>" for key, _ in shown) + "</tr>"
        for _, row in frame.iterrows()
    )
    return (
        f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _robustness_section(robust: pd.DataFrame) -> str:
    """One table per outcome: each strategy's statistics over the futures and its regret."""
    if robust.empty:
        return '<p class="note">No outcome could be computed in any future.</p>'
    parts = []
    for outcome, rows in robust.groupby("outcome", sort=False):
        name = str(outcome)
        sense = _SENSES.get(str(_plain(rows["sense"].iloc[0])), "no better direction")
        unit = _UNITS.get(name, "")
        what = _DESCRIPTIONS.get(name, "")
        parts.append(
            f"<h3>{html.escape(name)}</h3>"
            f'<p class="note">{html.escape(what)}; {html.escape(unit)}; {sense}.</p>'
            + _table(rows, [("strategy", "strategy"), *_ROBUSTNESS])
        )
    return "".join(parts)


def _satisficing_section(robust: pd.DataFrame) -> str:
    """Per strategy: the share of futures that meet every rule."""
    if "satisficing_share" not in robust.columns or robust.empty:
        return (
            '<p class="note">No satisficing rules were given (<code>--satisfice</code>), so no '
            "shares and no scenario discovery.</p>"
        )
    rules = str(_plain(robust["satisfice"].iloc[0]))
    per_strategy = robust.drop_duplicates("strategy")
    return (
        f'<p class="note">Rules, all to be met in a future: <code>{html.escape(rules)}</code>. '
        "The share counts the futures where the strategy's outcomes (mean over replications) "
        "meet every rule.</p>"
        + _table(
            per_strategy,
            [
                ("strategy", "strategy"),
                ("satisficing_share", "share of futures"),
                ("n_satisficed", "futures that meet the rules"),
            ],
        )
    )


def _prim_section(prim: pd.DataFrame) -> str:
    """Per strategy and outcome: the chosen box (restricted uncertainties) and its trade-off."""
    if prim.empty:
        return (
            '<p class="note">No box: without rules there is nothing to explain, and a strategy '
            "that fails its rules in every future or in none has no box.</p>"
        )
    parts = []
    for (strategy, outcome), rows in prim.groupby(["strategy", "outcome"], sort=False):
        box = rows[rows["part"] == "box"]
        restricted = box[box["restricted"].astype(object) == True]  # noqa: E712 (object column)
        first = box.iloc[0] if len(box) else None
        stats = (
            "coverage {}, density {}, mass {}, step {}".format(
                *(_cell(_plain(first[key])) for key in ("coverage", "density", "mass", "step"))
            )
            if first is not None
            else "no box"
        )
        trajectory = rows[rows["part"] == "trajectory"]
        parts.append(
            f"<h3>{html.escape(str(strategy))}: fails on {html.escape(str(outcome))}</h3>"
            f'<p class="note">The chosen box: {stats}.</p>'
            + _table(
                restricted,
                [
                    ("uncertainty", "restricted uncertainty"),
                    ("low", "low"),
                    ("high", "high"),
                    ("qp", "quasi-p"),
                ],
            )
            + "<details><summary>Peeling trajectory (coverage against density)</summary>"
            + _table(
                trajectory,
                [
                    ("step", "step"),
                    ("coverage", "coverage"),
                    ("density", "density"),
                    ("mass", "mass"),
                    ("res_dim", "restricted dimensions"),
                ],
            )
            + "</details>"
        )
    return "".join(parts)


def _sobol_section(sobol: pd.DataFrame | None) -> str:
    """Per strategy and outcome: first-order and total indices with their intervals."""
    if sobol is None:
        return (
            '<p class="note">Not sampled for Sobol\' indices (use <code>--sampler saltelli'
            "</code>).</p>"
        )
    if sobol.empty:
        return '<p class="note">Every outcome was constant over the futures: no indices.</p>'
    parts = []
    for (strategy, outcome), rows in sobol.groupby(["strategy", "outcome"], sort=False):
        parts.append(
            f"<h3>{html.escape(str(strategy))}: {html.escape(str(outcome))}</h3>"
            + _table(
                rows,
                [
                    ("uncertainty", "uncertainty"),
                    ("S1", "S1"),
                    ("S1_conf", "± S1"),
                    ("ST", "ST"),
                    ("ST_conf", "± ST"),
                ],
            )
        )
    return "".join(parts)


def _ranges(record: dict[str, Any]) -> str:
    ranges = record.get("uncertainties", {})
    if not isinstance(ranges, dict) or not ranges:
        return "none"
    return ", ".join(
        f"{html.escape(str(key))} {float(low):g} to {float(high):g}"
        for key, (low, high) in ranges.items()
    )


_HEADLINE = (
    ("delivered_change_pct", "the change in drugs delivered to the US", "%", "+.2f"),
    ("excess_homicides", "excess homicides in Mexico", " deaths", "+,.0f"),
)


def _findings(robust: pd.DataFrame, failed: int) -> str:
    """Sentences over the futures: the best mean and the smallest worst regret per headline."""
    if robust.empty:
        return "<p>No futures ran: nothing to report.</p>"
    items = []
    for outcome, meaning, unit, fmt in _HEADLINE:
        rows = robust[(robust["outcome"] == outcome) & (robust["strategy"] != BASELINE_ID)]
        rows = rows[rows["mean"].notna()]
        if rows.empty:
            continue
        best = rows.sort_values("mean", kind="stable").iloc[0]
        steady = rows.sort_values("max_regret", kind="stable").iloc[0]
        items.append(
            f"<li>On {meaning}, <b>{html.escape(str(best['strategy']))}</b> does best on "
            f"average over the futures ({best['mean']:{fmt}}{unit}; 5–95% over the futures "
            f"{best['p05']:{fmt}} to {best['p95']:{fmt}}); "
            f"<b>{html.escape(str(steady['strategy']))}</b> has the smallest worst-case regret "
            f"(at most {steady['max_regret']:,.3g}{unit} from the best strategy in any "
            "future).</li>"
        )
    if "satisficing_share" in robust.columns:
        shares = robust.drop_duplicates("strategy").dropna(subset=["satisficing_share"])
        shares = shares[shares["strategy"] != BASELINE_ID]
        if not shares.empty:
            most = float(shares["satisficing_share"].max())
            top = shares[shares["satisficing_share"] == most]
            names = ", ".join(f"<b>{html.escape(str(s))}</b>" for s in top["strategy"])
            rules = html.escape(str(top["satisfice"].iloc[0]))
            items.append(
                f"<li>The rules <code>{rules}</code> are met in the most futures "
                f"({100 * most:.0f}%) by {names}.</li>"
            )
    left_out = f" {failed:,} experiments failed and are left out." if failed else ""
    return f"<p>Across the sampled futures:{left_out}</p><ul>{''.join(items)}</ul>"


def build_ensemble_report(results: Results) -> str:
    """Return the report of an ensemble's ``results`` as one HTML document.

    Raises:
        ValueError: ``results`` is a comparison (use :func:`counterflow.report.build_report`).
    """
    if results.kind != ENSEMBLE:
        raise ValueError("build_ensemble_report needs an ensemble's results")
    scenario = results.scenario
    record = dict(results.ensemble)
    experiments = results.tables["experiments"]
    failed = int(experiments["error"].notna().sum())
    robust = results.tables["robustness"]
    sampler = html.escape(str(record.get("sampler", "?")))
    name = html.escape(scenario.name)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>counterflow explore: {name}</title>
<style>{STYLE}</style></head><body>
<h1>counterflow explore — {name}</h1>
<p class="note">{len(scenario.strategy)} strategies in {record.get("futures", "?")} futures
({sampler} sampler, seed {record.get("seed", scenario.seed)}), {scenario.replications}
replication(s) per future paired across strategies (common random numbers), {scenario.months}
months, network {html.escape(scenario.network)}: {len(experiments):,} experiments,
{failed:,} failed (left out below). Uncertain parameters and their ranges: {_ranges(record)}.
Each future is the scenario with these parameters set; outcomes are the columns of
results.csv, averaged over replications within a future. counterflow version
{html.escape(results.version)}. This report informs analysis; it is not an operational plan
and names no person.</p>
<section id="findings"><h2>Findings</h2>{_findings(robust, failed)}</section>
<section id="ensemble">
<h2>Robustness by outcome</h2>
<p class="note">Over the futures: the mean and the 5% and 95% quantiles of each strategy's
outcome; regret is the distance to the best strategy in the same future (0 where it is the
best), for outcomes with a better direction.</p>
{_robustness_section(robust)}
<h2>Satisficing</h2>
{_satisficing_section(robust)}
<h2>Where strategies fail: scenario discovery (PRIM)</h2>
<p class="note">For each strategy and outcome of a rule, the box of uncertainty values that
holds the futures where the strategy fails it (Friedman and Fisher 1999; Bryant and Lempert
2010): coverage is the share of the failing futures inside the box, density the share of the
box's futures that fail, mass the share of all futures inside it; quasi-p is the chance that a
restriction this good arises by luck (small: the restriction matters).</p>
{_prim_section(results.tables["prim"])}
<h2>Sensitivity: Sobol' indices</h2>
<p class="note">Share of an outcome's variance over the futures due to each uncertainty alone
(S1) and with its interactions (ST), with the half-widths of their confidence intervals.</p>
{_sobol_section(results.sobol)}
</section>
<section id="record"><h2>Assumptions and record</h2>{record_section(results)}</section>
</body></html>
"""
