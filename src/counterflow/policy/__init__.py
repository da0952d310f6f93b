"""What a strategy's levers do in one month, read in one place (DESIGN.md, "Dynamics").

:func:`resolve_month_policy` turns a strategy's :class:`~counterflow.scenario.Levers`, whether
Mexico consents to operations this month and the factors that cooperation sets into one frozen
:class:`MonthPolicy`: the multipliers of enforcement, the precursor cut, the sanctioned
organizations, the joint operations and removal attempts that go ahead, and whether the strategy
acts unilaterally. The submodels read the record, never the levers: ``traffic`` needs no idea of
consent. The factors are numbers computed by :mod:`counterflow.model` from
:mod:`counterflow.diplomacy`; this package imports no other submodel.
"""

from counterflow.policy.month import (
    JointOps,
    MonthPolicy,
    RemovalAttempts,
    SupplyStrikesAct,
    resolve_month_policy,
)

__all__ = ["JointOps", "MonthPolicy", "RemovalAttempts", "SupplyStrikesAct", "resolve_month_policy"]
