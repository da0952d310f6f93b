"""The scenario: one TOML file, validated into frozen pydantic models (DESIGN.md, "Scenario files").

Names are part of the user-facing format and fixed: ``name``, ``network``, ``months``, ``seed``,
``replications``, ``[parameters]``, ``[uncertainties]`` and ``[[strategy]]`` with ``id``,
``label`` and ``[strategy.levers]``; added since: ``homicide_series``, ``homicide_year`` and
``start_date`` (the first day of month 1: the date each month's legal assessment is made as of).
Unknown keys are errors (``extra="forbid"``).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from counterflow.data.loader import builtin_names
from counterflow.scenario.parameters import check_parameters
from counterflow.scenario.problems import Problem, ProblemList, ScenarioError, problems_of

__all__ = [
    "BASELINE_ID",
    "JointOperations",
    "LeadershipRemoval",
    "Levers",
    "Scenario",
    "Strategy",
    "SupplyStrikes",
    "ignored_levers",
]

BASELINE_ID = "status-quo"
_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

# A lever multiplier above this is not a policy but a typo; say so rather than solve it.
MAX_MULTIPLIER = 100.0


def _add_months(day: date, months: int) -> date | None:
    """``day`` moved on by ``months`` months (a day that every month has), or ``None`` past 9999."""
    total = day.month - 1 + months
    year = day.year + total // 12
    return date(year, total % 12 + 1, day.day) if year <= date.max.year else None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# The first and last dates a horizon may cover: the same years as ``homicide_year``. The code
# itself needs only that every month's date exists (``datetime.date`` ends in 9999); a horizon
# outside 1990..2100 is a typo, since the data and the law book describe the decades around now.
FIRST_START_DATE = date(1990, 1, 1)
LAST_MONTH_DATE = date(2100, 12, 1)

# Strict types: a TOML file says what it means. ``months = "2"``, ``months = true`` and
# ``consent = "no"`` are errors, not coerced; an integer stays fine where a float is expected
# (``intensity = 1``), as pydantic's strict float accepts it.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]

Multiplier = Annotated[float, Strict(), Field(gt=0, le=MAX_MULTIPLIER, allow_inf_nan=False)]
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Intensity = Annotated[float, Strict(), Field(ge=0, le=MAX_MULTIPLIER, allow_inf_nan=False)]


class JointOperations(_Frozen):
    """Joint operations against some organizations (multiplies e where they are strong)."""

    organizations: Annotated[tuple[str, ...], Field(min_length=1)]
    intensity: Intensity = 1.0


class LeadershipRemoval(_Frozen):
    """Leadership removal: method and expected attempts per organization-month."""

    method: Literal["capture", "strike"]
    intensity: Intensity = 1.0
    # Captures with consent: Mexican authorities make the arrests (US officers only assist).
    # Mexico's National Security Law Art. 71 fr. VI bars foreign agents from making or inducing
    # detentions and the Mansfield Amendment (22 U.S.C. 2291(c)) limits US officers' arrests
    # abroad, so the legal assessment shows this as an assumption; false makes it contested.
    mexican_arrests: Bool = True
    # Whether US military personnel take part on the ground (Constitution Art. 76 fr. III; the
    # War Powers Resolution's 48-hour report). Unset: true for capture raids without consent,
    # false otherwise; the legal trace shows which.
    us_military_on_ground: Bool | None = None


class SupplyStrikes(_Frozen):
    """Strikes on supply chains: production capacity destroyed, as an aggregate share.

    The model never locates a site: ``capacity_share`` is the share of the production capacity
    standing in the model's representative production zones (``zones``: their node ids; empty:
    all) destroyed per month; it is rebuilt with ``market.supply_strike_rebuild_half_life_months``.
    ``strikes_per_month`` is the expected number of strikes a month, which civilian harm,
    cooperation and the law count as strikes.
    """

    capacity_share: Fraction
    zones: tuple[str, ...] = ()
    strikes_per_month: Intensity = 1.0


# Levers that act on Mexican territory: a strategy that sets one states ``consent`` (DESIGN.md,
# "Diplomacy": there is no silent default there).
TERRITORIAL_LEVERS = ("joint_operations", "leadership_removal", "isr_coverage", "supply_strikes")


class Levers(_Frozen):
    """A strategy's lever settings; a lever not named is off.

    ``consent`` says whether the strategy acts with Mexico's consent (``true``) or unilaterally
    (``false``). It must be given when a lever acts on Mexican territory (joint operations,
    leadership removal, ISR coverage above 0); elsewhere it defaults to ``true``.
    """

    port_inspection: dict[str, Multiplier] = Field(default_factory=dict)
    state_enforcement: dict[str, Multiplier] = Field(default_factory=dict)
    precursor_inspection: Fraction = 0.0
    sanctions: tuple[str, ...] = ()
    joint_operations: JointOperations | None = None
    consent: Bool = True
    isr_coverage: Fraction = 0.0
    leadership_removal: LeadershipRemoval | None = None
    supply_strikes: SupplyStrikes | None = None

    @model_validator(mode="before")
    @classmethod
    def _explicit_consent(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "consent" in data:
            return data
        acting = [
            lever
            for lever in TERRITORIAL_LEVERS
            if data.get(lever) is not None and data.get(lever) != 0
        ]
        if acting:
            raise ValueError(
                f"consent is required with {', '.join(acting)} (levers that act on Mexican "
                "territory); add consent = true (with Mexico's consent) or consent = false "
                "(unilateral)"
            )
        return data


def ignored_levers(levers: Levers) -> tuple[str, ...]:
    """The levers a strategy sets that have no effect, each with the reason, in one line.

    Joint operations are with Mexican forces, so under ``consent = false`` the model ignores
    them (``counterflow.policy.resolve_month_policy``); the CLI prints these as warnings.
    """
    found = []
    joint = levers.joint_operations
    if joint is not None and joint.intensity > 0 and not levers.consent:
        found.append(
            "joint_operations is ignored: joint operations act only with Mexico's consent; "
            "set consent = true or remove joint_operations"
        )
    return tuple(found)


class Strategy(_Frozen):
    """A named set of lever settings."""

    id: Annotated[str, Field(pattern=_ID_PATTERN, max_length=64)]
    label: Annotated[str, Field(min_length=1, max_length=200)]
    levers: Levers = Field(default_factory=Levers)


class Scenario(_Frozen):
    """Everything one comparison needs: the world, the futures' ranges and the strategies."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    network: str = "builtin:mexico"
    months: Annotated[Int, Field(ge=1, le=600)] = 24
    seed: Annotated[Int, Field(ge=0)] = 0
    replications: Annotated[Int, Field(ge=1, le=100_000)] = 1
    homicide_series: Literal["sesnsp", "inegi"] = "sesnsp"
    homicide_year: Annotated[Int, Field(ge=1990, le=2100)] = 2024
    start_date: Annotated[date, Strict()] = date(2025, 6, 1)
    parameters: dict[Annotated[str, Field(pattern=_KEY_PATTERN)], Float] = Field(
        default_factory=dict
    )
    uncertainties: dict[Annotated[str, Field(pattern=_KEY_PATTERN)], tuple[Float, Float]] = Field(
        default_factory=dict
    )
    strategy: Annotated[tuple[Strategy, ...], Field(min_length=1)]

    @field_validator("network")
    @classmethod
    def _packaged_builtin(cls, value: str) -> str:
        if value.startswith("builtin:"):
            names = builtin_names()
            if value.removeprefix("builtin:") not in names:
                raise ValueError(
                    f"builtin: names a dataset packaged with counterflow: one of "
                    f"{', '.join('builtin:' + name for name in names)}; for a folder of your "
                    "own, give its path (relative to the scenario file) without builtin:"
                )
        return value

    @field_validator("parameters")
    @classmethod
    def _finite_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if not math.isfinite(number):
                raise ValueError(f"parameter {key!r} is {number!r}; give a finite number")
        problems = check_parameters(value, {})
        if problems:
            raise ProblemList([Problem(key, message) for key, message in problems])
        return value

    @field_validator("uncertainties")
    @classmethod
    def _ordered_ranges(
        cls, value: dict[str, tuple[float, float]]
    ) -> dict[str, tuple[float, float]]:
        for key, (low, high) in value.items():
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError(f"range of {key!r} must be finite")
            if low > high:
                raise ValueError(
                    f"range of {key!r} is [{low}, {high}]: low exceeds high; swap them"
                )
        return value

    @field_validator("uncertainties")
    @classmethod
    def _known_ranges(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        problems = check_parameters({}, value)
        if problems:
            raise ProblemList([Problem(key, message) for key, message in problems])
        return value

    @field_validator("strategy")
    @classmethod
    def _strategies(cls, value: tuple[Strategy, ...]) -> tuple[Strategy, ...]:
        ids = [s.id for s in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"strategy ids must be unique; repeated: {', '.join(duplicates)}")
        if BASELINE_ID not in ids:
            raise ValueError(
                f"no strategy with id {BASELINE_ID!r}; every scenario needs the baseline "
                '(add [[strategy]] id = "status-quo")'
            )
        return value

    @model_validator(mode="after")
    def _horizon_dates(self) -> Scenario:
        last = _add_months(self.start_date.replace(day=1), self.months - 1)
        if self.start_date < FIRST_START_DATE or last is None or last > LAST_MONTH_DATE:
            end = "after 9999" if last is None else f"{last:%Y-%m}"
            raise ProblemList(
                [
                    Problem(
                        "start_date",
                        f"{self.start_date} with months = {self.months} runs from "
                        f"{self.start_date:%Y-%m} to {end}; the months must lie between "
                        f"{FIRST_START_DATE:%Y-%m} and {LAST_MONTH_DATE:%Y-%m} (the years of "
                        "homicide_year): move start_date or shorten months",
                    )
                ]
            )
        return self

    def with_overrides(self, **changes: Any) -> Scenario:
        """A copy with top-level keys changed (``months=12``), validated like a file.

        Raises:
            ScenarioError: A changed value is invalid; each problem names its key.
        """
        data = self.model_dump(mode="python")
        unknown = sorted(set(changes) - set(data))
        if unknown:
            raise ScenarioError(
                [Problem(key, "unknown scenario key") for key in unknown], path=None
            )
        data.update(changes)
        try:
            return Scenario.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(problems_of(error, data), path=None) from None

    def month_date(self, month: int) -> date:
        """The date ``month - 1`` months after ``start_date`` (day capped at 28)."""
        day = self.start_date.replace(day=min(self.start_date.day, 28))
        moved = _add_months(day, month - 1)
        if moved is None:
            raise ValueError(f"month {month} after {self.start_date} is after the year 9999")
        return moved

    @property
    def strategy_ids(self) -> tuple[str, ...]:
        """Strategy ids in scenario order."""
        return tuple(s.id for s in self.strategy)

    def get_strategy(self, strategy_id: str) -> Strategy:
        """The strategy with this id."""
        for strategy in self.strategy:
            if strategy.id == strategy_id:
                return strategy
        raise KeyError(strategy_id)
