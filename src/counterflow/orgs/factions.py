"""Fragmentation: an organization splits into two factions that contest, then settle, its ground.

When an organization splits (``sinaloa`` -> ``sinaloa-a`` and ``sinaloa-b``), faction ``-a``
takes the share ``theta = orgs.faction_share`` of the parent's control in every state and of
its supply, ``-b`` the rest. For ``orgs.contest_months`` months a share
``orgs.contested_share`` of the parent's control belongs to nobody (the factions fight over
it): both pay more tolls there and more of the flow through those states is contested, which is
what drives violence (:mod:`counterflow.orgs.violence`). Then the factions settle: between
them they hold the parent's ground again, each routing through it as the parent did (each
faction's control share in a state is the parent's), so tolls and contested flow fall back to
their level before the split. One generation of splits: a faction does not split again
(assumption: the hundreds of local groups that Crisis Group counts are below the model's state
resolution).

Everything here is a pure function of which organizations split and when, so a world state has
a key (:attr:`Factions.key`) and the same key always gives the same equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Factions", "OrgState", "faction_ids", "factions_of"]

_SUFFIXES = ("a", "b")


def faction_ids(root: str) -> tuple[str, str]:
    """The ids of a split organization's two factions (DESIGN.md: ``sinaloa-a``, ``sinaloa-b``)."""
    return (f"{root}-{_SUFFIXES[0]}", f"{root}-{_SUFFIXES[1]}")


@dataclass(frozen=True)
class Factions:
    """The organizations active in one month, their control shares and their weights.

    Attributes:
        key: What determines the world: per split organization, whether its ground is still
            contested; ``()`` when nothing has split.
        shares: Per active organization, per state, its control share.
        weight: Per active organization, its share of its root's supply (1 for an intact one).
        root_of: Per active organization, the designated organization it comes from.
    """

    key: tuple[tuple[str, bool], ...]
    shares: dict[str, dict[str, float]]
    weight: dict[str, float]
    root_of: dict[str, str]


@dataclass(frozen=True)
class OrgState:
    """Which designated organizations have split, and in which month (1-based)."""

    roots: tuple[str, ...]
    split_month: dict[str, int] = field(default_factory=dict)

    def split(self, root: str, month: int) -> OrgState:
        """The state after ``root`` splits in ``month`` (a faction or split root: unchanged)."""
        if root not in self.roots or root in self.split_month:
            return self
        return OrgState(self.roots, {**self.split_month, root: month})

    def factions(
        self, month: int, shares: dict[str, dict[str, float]], params: dict[str, float]
    ) -> Factions:
        """Control shares, weights and key of the organizations active in ``month``."""
        duration = params["orgs.contest_months"]
        fighting = {root: month < start + duration for root, start in self.split_month.items()}
        return factions_of(self.roots, fighting, shares, params)


def factions_of(
    roots: tuple[str, ...],
    fighting: dict[str, bool],
    shares: dict[str, dict[str, float]],
    params: dict[str, float],
) -> Factions:
    """The organizations when the roots in ``fighting`` have split (value: ground contested)."""
    theta = params["orgs.faction_share"]
    contested = params["orgs.contested_share"]
    out_shares: dict[str, dict[str, float]] = {}
    weight: dict[str, float] = {}
    root_of: dict[str, str] = {}
    key: list[tuple[str, bool]] = []
    for root in roots:
        parent = shares.get(root, {})
        if root not in fighting:
            out_shares[root] = dict(parent)
            weight[root] = 1.0
            root_of[root] = root
            continue
        key.append((root, fighting[root]))
        for faction, part in zip(faction_ids(root), (theta, 1.0 - theta), strict=True):
            if fighting[root]:
                out_shares[faction] = {s: part * (1.0 - contested) * v for s, v in parent.items()}
            else:
                out_shares[faction] = dict(parent)  # settled: the pair holds the parent's ground
            weight[faction] = part
            root_of[faction] = root
    return Factions(tuple(sorted(key)), out_shares, weight, root_of)
