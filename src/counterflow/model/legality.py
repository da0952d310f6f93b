"""A strategy's legal verdicts over its horizon (DESIGN.md: the worst over its months).

Each month is assessed as of its date (``Scenario.month_date``), so rules that take effect
during the horizon (a designation, a constitutional reform) count from their month on. The
trace kept is the one of the first month that reaches each framework's worst verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from counterflow.data import Dataset
from counterflow.legal import Assessment, LawBook, Step, assess, facts_of, worst
from counterflow.model.context import Context
from counterflow.scenario import Strategy

__all__ = ["HorizonVerdicts", "assess_horizon", "assess_strategy", "designation_dates"]


@dataclass(frozen=True)
class HorizonVerdicts:
    """The worst verdict per framework over the months, and the reasoning behind each."""

    strategy: str
    verdicts: dict[str, str]
    as_of: dict[str, dt.date]
    trace: tuple[Step, ...]


def designation_dates(dataset: Dataset) -> dict[str, dt.date]:
    """Per organization, the date of its FTO designation (``organizations.csv``), if any."""
    frame = dataset.organizations
    if "fto_designation_date" not in frame.columns:
        return {}
    out = {}
    for org, text in zip(frame["org_id"], frame["fto_designation_date"], strict=True):
        if str(text).strip():
            out[str(org)] = dt.date.fromisoformat(str(text).strip())
    return out


def assess_strategy(
    dataset: Dataset, strategy: Strategy, as_of: dt.date, book: LawBook
) -> Assessment:
    """The assessment of a strategy's levers on one date."""
    facts = facts_of(strategy.levers, as_of=as_of, designations=designation_dates(dataset))
    return assess(facts, as_of=as_of, book=book)


def assess_horizon(context: Context, strategy: Strategy, book: LawBook) -> HorizonVerdicts:
    """The worst verdict per framework over the scenario's months (module docstring)."""
    scenario = context.scenario
    dates = sorted({scenario.month_date(m) for m in range(1, scenario.months + 1)})
    assessments = [assess_strategy(context.dataset, strategy, day, book) for day in dates]
    verdicts: dict[str, str] = {}
    when: dict[str, dt.date] = {}
    trace: list[Step] = []
    for framework in assessments[0].verdicts:
        verdict = worst([a.verdicts[framework] for a in assessments])
        first = next(a for a in assessments if a.verdicts[framework] == verdict)
        verdicts[framework] = verdict
        when[framework] = first.as_of
        trace.extend(step for step in first.trace if step.framework == framework)
    return HorizonVerdicts(strategy.id, verdicts, when, tuple(trace))
