"""Colours of the report: distinct under colour-vision deficiency for up to 12 strategies.

The status quo is always the same neutral grey. The others take, in scenario order, the seven
colours of Okabe & Ito (2008, "Color Universal Design"), without black, then four of Paul
Tol's "muted" scheme (Tol 2021, SRON/EPS/TN/09-002) that stay apart from them; beyond 11 the
colours repeat and the line patterns tell strategies apart (every line chart also names its
strategy beside the panel, so colour is never the only cue).
"""

from __future__ import annotations

from counterflow.scenario import BASELINE_ID

__all__ = ["NEUTRAL", "STRATEGY_COLOURS", "colours_for", "dash_for"]

NEUTRAL = "#6e6e6e"
STRATEGY_COLOURS = (
    "#0072B2",  # blue (Okabe-Ito)
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#B8A100",  # Okabe-Ito yellow, darkened to read on white
    "#332288",  # indigo (Tol muted)
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
)
_DASHES = ("", "6 3", "2 2", "8 3 2 3")


def colours_for(strategy_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Each strategy's colour: the status quo neutral, the others in order."""
    found: dict[str, str] = {}
    others = 0
    for strategy_id in strategy_ids:
        if strategy_id == BASELINE_ID:
            found[strategy_id] = NEUTRAL
        else:
            found[strategy_id] = STRATEGY_COLOURS[others % len(STRATEGY_COLOURS)]
            others += 1
    return found


def dash_for(strategy_ids: list[str] | tuple[str, ...], strategy_id: str) -> str:
    """A line pattern that changes each time the colours wrap around (``""``: solid)."""
    others = [s for s in strategy_ids if s != BASELINE_ID]
    if strategy_id not in others:
        return ""
    return _DASHES[(others.index(strategy_id) // len(STRATEGY_COLOURS)) % len(_DASHES)]
