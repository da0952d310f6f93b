"""Organizations in time: leadership removal, fragmentation, violence and civilian harm.

Organizations, factions and leaders here are synthetic model entities: an organization is one
of the publicly designated groups described at state level; a *removal* is an event with a
probability; a *faction* is a share of a parent's territory and supply. No person is named.
"""

from counterflow.orgs.factions import Factions, OrgState, faction_ids, factions_of
from counterflow.orgs.harm import civilian_deaths
from counterflow.orgs.leadership import Removal, RemovalDraws, draw_removals, removal_probability
from counterflow.orgs.violence import (
    HomicideBaseline,
    Violence,
    baseline_homicides,
    monthly_homicides,
    removal_effects,
)

__all__ = [
    "Factions",
    "HomicideBaseline",
    "OrgState",
    "Removal",
    "RemovalDraws",
    "Violence",
    "baseline_homicides",
    "civilian_deaths",
    "draw_removals",
    "faction_ids",
    "factions_of",
    "monthly_homicides",
    "removal_effects",
    "removal_probability",
]
