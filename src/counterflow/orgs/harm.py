"""Civilian harm: expected civilian deaths from strikes.

Each strike, successful or not, is expected to kill ``harm.civilian_deaths_per_strike`` x
``(1 - harm.isr_reduction x isr_coverage)`` civilians: better intelligence lowers the harm to
bystanders but never removes it. Both parameters are assumptions with ranges (docs/model.md,
"Civilian harm"); capture raids are counted as causing none, which flatters them.
"""

from __future__ import annotations

__all__ = ["civilian_deaths"]


def civilian_deaths(strikes: float, isr_coverage: float, params: dict[str, float]) -> float:
    """Expected civilian deaths from ``strikes`` strikes at this ISR coverage."""
    per_strike = params["harm.civilian_deaths_per_strike"]
    avoided = params["harm.isr_reduction"] * isr_coverage
    return float(strikes * per_strike * (1.0 - avoided))
