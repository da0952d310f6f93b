"""Cooperation with Mexico: an index C in [0, 1] per month (DESIGN.md, "Diplomacy")."""

from counterflow.diplomacy.cooperation import (
    Cooperation,
    MonthActions,
    advance_cooperation,
    cooperation_level,
    enforcement_factor,
    operations_allowed,
)

__all__ = [
    "Cooperation",
    "MonthActions",
    "advance_cooperation",
    "cooperation_level",
    "enforcement_factor",
    "operations_allowed",
]
