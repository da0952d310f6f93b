"""The *Findings* of a comparison: plain sentences generated from the outcome rows.

Every sentence carries the interval it rests on (5–95% over the replications) and says only
what the numbers support: a strategy "cuts" delivered kg only when the whole interval lies
below zero, "adds" homicides only when it lies above zero; where an interval crosses zero the
sentence says the direction is not clear. Sentences are built from ``Results.rows`` alone, so
the page says the same as ``results.csv``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from counterflow.model.outcomes import FRAMEWORKS
from counterflow.scenario import BASELINE_ID

__all__ = ["findings"]

_FRAMEWORK_NAMES = {"international": "international law", "us": "US law", "mexico": "Mexican law"}
Row = Mapping[str, Any]


def _interval(row: Row, key: str, fmt: str, unit: str = "") -> str:
    low, high = row.get(f"{key}_p05"), row.get(f"{key}_p95")
    if low is None or high is None or low == high:
        return "(in every replication)"
    return f"(5–95%: {low:{fmt}}{unit} to {high:{fmt}}{unit})"


def _sign(row: Row, key: str) -> int:
    """+1 when the whole interval is above zero, -1 below, 0 when it crosses or touches zero."""
    low = row.get(f"{key}_p05", row.get(key))
    high = row.get(f"{key}_p95", row.get(key))
    if low is None or high is None:
        return 0
    if low > 0:
        return 1
    if high < 0:
        return -1
    return 0


def _delivered(row: Row) -> str:
    value = row.get("delivered_change_pct")
    if value is None:
        return "its effect on delivered kg is not computed"
    sign = _sign(row, "delivered_change_pct")
    interval = _interval(row, "delivered_change_pct", "+.1f", "%")
    if sign < 0:
        return f"cuts the drugs delivered to the US by {-value:.1f}% {interval}"
    if sign > 0:
        return f"raises the drugs delivered to the US by {value:.1f}% {interval}"
    return f"has no clear effect on the drugs delivered to the US ({value:+.1f}%, {interval[1:-1]})"


def _homicides(row: Row) -> str:
    value = row.get("excess_homicides")
    if value is None:
        return "homicides are not computed"
    sign = _sign(row, "excess_homicides")
    interval = _interval(row, "excess_homicides", "+,.0f")
    if sign > 0:
        return f"adds {value:,.0f} homicides in Mexico over the horizon {interval}"
    if sign < 0:
        return f"avoids {-value:,.0f} homicides in Mexico {interval}"
    return f"has no clear effect on homicides ({value:+,.0f}, {interval[1:-1]})"


def _harm(row: Row) -> str:
    value = row.get("civilian_harm")
    if not value:
        return ""
    interval = _interval(row, "civilian_harm", ",.0f")
    return f"; strikes kill an expected {value:,.0f} civilians {interval}"


def _cooperation(row: Row, base: Row) -> str:
    value, start = row.get("cooperation_end"), base.get("cooperation_end")
    if value is None or start is None or abs(value - start) < 0.005:
        return ""
    verb = "falls" if value < start else "rises"
    interval = _interval(row, "cooperation_end", ".2f")
    return f"; Mexico's cooperation {verb} to {value:.2f} against {start:.2f} {interval}"


def _law(row: Row) -> str:
    prohibited = [_FRAMEWORK_NAMES[f] for f in FRAMEWORKS if row.get(f"legal_{f}") == "prohibited"]
    contested = [_FRAMEWORK_NAMES[f] for f in FRAMEWORKS if row.get(f"legal_{f}") == "contested"]
    parts = []
    if prohibited:
        parts.append(f"it is prohibited under {_join(prohibited)}")
    if contested:
        parts.append(f"contested under {_join(contested)}")
    return ("; " + ", ".join(parts)) if parts else ""


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def findings(rows: Sequence[Row], *, months: int, replications: int) -> str:
    """The Findings section's HTML: the question, then one sentence per strategy."""
    base = next((row for row in rows if row["strategy"] == BASELINE_ID), None)
    if base is None:
        return '<p class="note">No status quo in this run: nothing to compare against.</p>'
    items = []
    for row in rows:
        if row["strategy"] == BASELINE_ID:
            continue
        sentence = (
            f"<b>{html.escape(str(row['label']))}</b> {_delivered(row)}; {_homicides(row)}"
            f"{_harm(row)}{_cooperation(row, base)}{_law(row)}."
        )
        items.append(f"<li>{sentence}</li>")
    ranked = [
        r for r in rows if r["strategy"] != BASELINE_ID and _sign(r, "delivered_change_pct") < 0
    ]
    best = min(ranked, key=lambda r: r["delivered_change_pct"], default=None)
    summary = (
        f"Of {len(rows) - 1} strategies, {len(ranked)} cut the drugs delivered to the US in every "
        "replication's 5–95% range"
        + (
            f"; the most, {html.escape(str(best['label']))}, by "
            f"{-best['delivered_change_pct']:.1f}%."
            if best is not None
            else "."
        )
    )
    return (
        f"<p>What does each strategy do, over {months} months, against the status quo? "
        f"Means over {replications} replications paired by common random numbers; the ranges "
        "are 5–95% over the replications, and they show only what the model's randomness "
        "(removals, splits) spreads, not the uncertainty of its parameters (that is what "
        f"<code>counterflow explore</code> is for).</p><p>{summary}</p><ul>{''.join(items)}</ul>"
    )
