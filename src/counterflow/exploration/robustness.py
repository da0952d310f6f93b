"""How strategies hold up over an ensemble of futures: statistics, regret, satisficing, Pareto.

Every function reads the *experiments table*: one row per strategy × future × replication,
with the columns ``strategy``, ``future_id``, ``replication``, one column per outcome (the
outcome columns of ``results.csv``, :mod:`counterflow.model.outcomes`) and ``error`` (empty
where the experiment succeeded, its error text where it raised; a table without ``error`` has
no failures).

Futures, not experiments, are the unit: a strategy's value in a future is the mean of the
outcome over that future's replications (an assumption: robustness is judged across futures,
Lempert et al. 2003, so the noise inside one future is averaged first). A failed experiment and
a missing value (an outcome not computed) are left out of that mean and counted; a future
where no replication of the strategy has a value is left out of the strategy's statistics.

Which way is better is declared once, in :data:`SENSE`.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.errors import InputError
from counterflow.model.outcomes import DRUGS, OUTCOMES

__all__ = [
    "OPERATORS",
    "REGRET_COLUMNS",
    "ROBUSTNESS_COLUMNS",
    "SATISFICING_COLUMNS",
    "SENSE",
    "Operator",
    "Rule",
    "Sense",
    "pareto",
    "parse_rules",
    "regret",
    "regret_per_future",
    "robustness",
    "satisficing",
    "strategy_table",
]

Sense = Literal["min", "max", "none"]
Operator = Literal["<=", "<", ">=", ">", "=="]

_KG_MECHANISMS = ("seized_kg", "seized_kg_mexico", "seized_kg_us_ports", "abstained_kg")

SENSE: dict[str, Sense] = {
    # The objectives DESIGN.md's question names: drugs that reach the US (lower is better),
    # violence and civilian harm (lower), Mexico's cooperation (higher).
    "delivered_kg": "min",
    **{f"delivered_kg_{drug}": "min" for drug in DRUGS},
    "delivered_change_pct": "min",
    "excess_homicides": "min",
    "civilian_harm": "min",
    "cooperation_end": "max",
    "cooperation_min": "max",
    # Mechanisms and diagnostics: reported, not ranked. More seized or abstained kg can mean a
    # strategy that works or more supply to seize; diversion is how a border lever acts as much
    # as a harm; splits and transfers are judged differently by different users; prices are how
    # supply control works (Reuter & Kleiman 1986), not an end. Pass ``sense=`` / ``senses=``
    # to rank one of them.
    **dict.fromkeys(_KG_MECHANISMS, "none"),
    **{f"{name}_{drug}": "none" for name in _KG_MECHANISMS for drug in DRUGS},
    "diversion_share": "none",
    "active_crossings": "none",
    "fragmentation_events": "none",
    "detainee_transfers": "none",
    **{f"price_{stage}_{drug}": "none" for drug in DRUGS for stage in ("border", "retail")},
    **{f"price_change_pct_{drug}": "none" for drug in DRUGS},
}
"""Which way is better for each declared outcome: ``min``, ``max`` or ``none`` (not ranked)."""

OPERATORS: dict[str, Callable[[Any, float], Any]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}
"""The comparisons a satisficing rule may use."""

ROBUSTNESS_COLUMNS = (
    "strategy",
    "outcome",
    "sense",
    "mean",
    "p05",
    "p95",
    "n_futures",
    "n_failed",
)
REGRET_COLUMNS = (
    "strategy",
    "outcome",
    "sense",
    "mean_regret",
    "max_regret",
    "p95_regret",
    "n_futures",
    "n_incomplete",
)
SATISFICING_COLUMNS = ("strategy", "share", "n_satisficed", "n_futures", "n_failed")

_ID_COLUMNS = ("experiment_id", "strategy", "future_id", "replication", "seed", "error")
_SYNTAX = "write OUTCOME OP VALUE, such as delivered_change_pct<=-5, separated by commas"
_OPERATOR_LIST = ", ".join(OPERATORS)
_RULE = re.compile(r"(?P<outcome>[A-Za-z_]\w*)\s*(?P<op>[<>=!]*)\s*(?P<value>.*)", re.DOTALL)


@dataclass(frozen=True)
class Rule:
    """One satisficing threshold: ``outcome op value``, e.g. ``excess_homicides <= 0``."""

    outcome: str
    op: Operator
    value: float

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise InputError(
                f"bad operator {self.op!r} in rule {self.outcome!r}; use one of {_OPERATOR_LIST}",
                key="satisfice",
            )
        try:
            number = float(self.value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise InputError(
                f"value {self.value!r} in rule {self.outcome!r} is not a finite number",
                key="satisfice",
            )
        object.__setattr__(self, "value", number)

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.value:g}"

    def holds(self, values: pd.Series) -> pd.Series:
        """Whether each value meets the rule (a missing value never does)."""
        return cast("pd.Series", OPERATORS[self.op](values, self.value))


def _close(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return "see docs/outputs.md for the outcome columns"


def _parse_rule(text: str, whole: str, known: Collection[str]) -> Rule:
    """One rule of ``whole``; the errors name the rule and say what to write."""
    match = _RULE.fullmatch(text)
    if match is None:
        raise InputError(
            f"rule {text!r} does not start with an outcome name; {_SYNTAX}", key="satisfice"
        )
    name, op, value_text = match["outcome"], match["op"], match["value"].strip()
    if not op:
        raise InputError(
            f"rule {text!r} has no operator after {name!r}; use one of {_OPERATOR_LIST}",
            key="satisfice",
        )
    if op not in OPERATORS:
        raise InputError(
            f"bad operator {op!r} in rule {text!r}; use one of {_OPERATOR_LIST}", key="satisfice"
        )
    if not value_text:
        raise InputError(f"rule {text!r} has no value after {op!r}; {_SYNTAX}", key="satisfice")
    try:
        value = float(value_text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"value {value_text!r} in rule {text!r} is not a finite number", key="satisfice"
        )
    if name not in known:
        raise InputError(
            f"unknown outcome {name!r} in {whole!r}; {_close(name, known)}", key="satisfice"
        )
    return Rule(name, cast("Operator", op), value)


def parse_rules(text: str, *, outcomes: Collection[str] | None = None) -> tuple[Rule, ...]:
    """The rules of ``"delivered_change_pct<=-5, excess_homicides<=0"``.

    Rules are separated by commas; whitespace is free; operators are ``<=, <, >=, >, ==``;
    values are floats. An outcome must be one of ``outcomes`` (default: every declared outcome).

    Raises:
        InputError: (key ``satisfice``, one line) an empty rule, a rule without an outcome
            name, operator or value, a bad operator, a value that is not a finite number, an
            unknown outcome (with the close matches).
    """
    known = SENSE if outcomes is None else outcomes
    parts = text.split(",")
    rules = []
    for index, part in enumerate(parts, start=1):
        rule_text = part.strip()
        if not rule_text:
            raise InputError(
                f"rule {index} of {len(parts)} in {text!r} is empty; {_SYNTAX}", key="satisfice"
            )
        rules.append(_parse_rule(rule_text, text, known))
    return tuple(rules)


def _succeeded(experiments: pd.DataFrame) -> pd.Series:
    """Whether each experiment succeeded: its ``error`` is missing or blank."""
    if "error" not in experiments.columns:
        return pd.Series(data=True, index=experiments.index)
    error = experiments["error"]
    blank = error.map(lambda e: e is None or (isinstance(e, str) and not e.strip()))
    return cast("pd.Series", error.isna() | blank.astype(bool))


def _check_table(experiments: pd.DataFrame) -> None:
    missing = [c for c in ("strategy", "future_id") if c not in experiments.columns]
    if missing:
        raise InputError(
            f"the experiments table has no {' or '.join(missing)} column; it needs strategy, "
            "future_id, replication, the outcome columns and error",
            key="experiments",
        )


def _outcome_names(
    experiments: pd.DataFrame, outcomes: Sequence[str] | None, *, key: str
) -> list[str]:
    """The outcome columns asked for, or every declared outcome the table has."""
    _check_table(experiments)
    candidates = [c for c in experiments.columns if c not in _ID_COLUMNS]
    if outcomes is None:
        names = [o.name for o in OUTCOMES if o.name in experiments.columns]
        if not names:
            raise InputError(
                "the experiments table has no outcome column (docs/outputs.md)", key=key
            )
        return names
    names = list(dict.fromkeys(outcomes))
    for name in names:
        if name not in candidates:
            raise InputError(
                f"the experiments table has no outcome {name!r}; {_close(name, candidates)}",
                key=key,
            )
    return names


def _numbers(column: pd.Series) -> pd.Series:
    """An outcome column as floats; missing values stay missing."""
    try:
        return cast("pd.Series", pd.to_numeric(column).astype(np.float64))
    except (TypeError, ValueError):
        raise InputError(
            f"outcome column {column.name!r} holds values that are not numbers", key="experiments"
        ) from None


def _future_values(experiments: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Per ``(strategy, future_id)``: each outcome's mean over the replications with a value."""
    ok = experiments.loc[_succeeded(experiments)]
    values = pd.DataFrame({name: _numbers(ok[name]) for name in names}, index=ok.index)
    keys = [ok["strategy"], ok["future_id"]]
    return values.groupby(keys, sort=False).mean()


def _strategies(experiments: pd.DataFrame) -> list[Any]:
    """The strategies in the order they first appear (the scenario's order)."""
    return list(pd.unique(experiments["strategy"]))


def _failed(experiments: pd.DataFrame) -> pd.Series:
    """Failed experiments per strategy."""
    failed = ~_succeeded(experiments)
    return failed.groupby(experiments["strategy"], sort=False).sum()


def _quantiles(values: NDArray[np.float64]) -> tuple[float, float]:
    if values.size == 0:
        return math.nan, math.nan
    p05, p95 = np.quantile(values, [0.05, 0.95], method="linear")
    return float(p05), float(p95)


def _block(values: pd.DataFrame, strategy: Any) -> pd.DataFrame:
    """The rows of ``values`` (indexed by strategy, future) of one strategy, by future."""
    if strategy not in values.index.get_level_values(0):
        return values.iloc[0:0].droplevel(0)
    return cast("pd.DataFrame", values.xs(strategy, level=0))


def robustness(experiments: pd.DataFrame, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Each strategy's outcomes over the futures: mean, 5% and 95% quantiles.

    One row per strategy and outcome (:data:`ROBUSTNESS_COLUMNS`), strategies in table order:
    ``sense`` from :data:`SENSE` (``none`` for an undeclared column), ``mean``, ``p05`` and
    ``p95`` (``numpy.quantile(..., method="linear")``) of the per-future values, ``n_futures``
    the futures with a value and ``n_failed`` the strategy's failed experiments.
    ``outcomes`` defaults to every declared outcome in the table.

    Raises:
        InputError: (key ``outcomes``) an outcome the table does not have.

    References:
        Lempert, Popper & Bankes (2003), *Shaping the Next One Hundred Years*, RAND MR-1626.
    """
    names = _outcome_names(experiments, outcomes, key="outcomes")
    values = _future_values(experiments, names)
    failed = _failed(experiments)
    rows = []
    for strategy in _strategies(experiments):
        block = _block(values, strategy)
        for name in names:
            numbers = block[name].dropna().to_numpy(dtype=np.float64)
            p05, p95 = _quantiles(numbers)
            rows.append(
                (
                    strategy,
                    name,
                    SENSE.get(name, "none"),
                    float(numbers.mean()) if numbers.size else math.nan,
                    p05,
                    p95,
                    int(numbers.size),
                    int(failed.get(strategy, 0)),
                )
            )
    return pd.DataFrame(rows, columns=list(ROBUSTNESS_COLUMNS))


def strategy_table(robust: pd.DataFrame, statistic: str = "mean") -> pd.DataFrame:
    """One row per strategy, one column per outcome: a statistic of :func:`robustness`.

    The input of :func:`pareto`: ``pareto(strategy_table(robustness(x)), [...])``.
    """
    if statistic not in robust.columns:
        raise InputError(f"no statistic {statistic!r}; use one of mean, p05, p95", key="statistic")
    strategies = pd.unique(robust["strategy"])
    wide = pd.DataFrame({"strategy": strategies})
    for name, rows in robust.groupby("outcome", sort=False):
        wide[name] = rows.set_index("strategy")[statistic].reindex(strategies).to_numpy()
    return wide


def _ranking_sense(name: str, sense: Sense | None, *, key: str) -> Literal["min", "max"]:
    chosen = SENSE.get(name, "none") if sense is None else sense
    if chosen not in {"min", "max"}:
        given = "" if sense is None else f"sense {sense!r} "
        raise InputError(
            f"{given}cannot rank {name!r}: it has no better direction (SENSE is "
            f"{SENSE.get(name, 'none')!r}); pass sense 'min' or 'max'",
            key=key,
        )
    return chosen


def regret_per_future(
    experiments: pd.DataFrame, outcome: str, *, sense: Sense | None = None
) -> pd.DataFrame:
    """Each strategy's regret in each future: its distance to the best strategy there.

    r(s, f) = v(s, f) − min_s' v(s', f) when lower is better, max_s' v(s', f) − v(s, f) when
    higher is; v the per-future mean. One row per future (index ``future_id``), one column per
    strategy. Only futures where every strategy has a value are kept: elsewhere the best
    strategy is unknown. ``sense`` overrides :data:`SENSE`.

    Raises:
        InputError: (key ``outcome``) an outcome the table does not have, or one whose sense
            is ``none`` and no ``sense`` is given.

    References:
        Savage (1951), "The theory of statistical decision", JASA 46(253); Lempert et al.
        (2003), RAND MR-1626.
    """
    names = _outcome_names(experiments, [outcome], key="outcome")
    direction = _ranking_sense(outcome, sense, key="outcome")
    means = _future_values(experiments, names)
    strategies = _strategies(experiments)
    values = pd.DataFrame({s: _block(means, s)[outcome] for s in strategies}, columns=strategies)
    values = values.sort_index().dropna()
    values.columns.name = "strategy"
    values.index.name = "future_id"
    if direction == "min":
        return values.sub(values.min(axis=1), axis=0)
    return values.rsub(values.max(axis=1), axis=0)


def regret(experiments: pd.DataFrame, outcome: str, *, sense: Sense | None = None) -> pd.DataFrame:
    """Each strategy's regret on one outcome over the futures: mean, max and 95% quantile.

    One row per strategy (:data:`REGRET_COLUMNS`), from :func:`regret_per_future`:
    ``n_futures`` the futures compared, ``n_incomplete`` those left out because some strategy
    has no value there. The strategy of least maximum regret is Savage's minimax-regret
    choice; the 95% quantile is less driven by one extreme future.

    Raises:
        InputError: (key ``outcome``) as :func:`regret_per_future`.

    References:
        Savage (1951), JASA 46(253); Lempert, Popper & Bankes (2003), RAND MR-1626.
    """
    per_future = regret_per_future(experiments, outcome, sense=sense)
    all_futures = pd.unique(experiments["future_id"]).size
    direction = _ranking_sense(outcome, sense, key="outcome")
    rows = []
    for strategy in per_future.columns:
        numbers = per_future[strategy].to_numpy(dtype=np.float64)
        empty = numbers.size == 0
        rows.append(
            (
                strategy,
                outcome,
                direction,
                math.nan if empty else float(numbers.mean()),
                math.nan if empty else float(numbers.max()),
                _quantiles(numbers)[1],
                int(numbers.size),
                int(all_futures - numbers.size),
            )
        )
    return pd.DataFrame(rows, columns=list(REGRET_COLUMNS))


def satisficing(experiments: pd.DataFrame, rules: str | Sequence[Rule]) -> pd.DataFrame:
    """Each strategy's share of futures in which every rule holds.

    ``rules`` is text for :func:`parse_rules` (``"delivered_change_pct<=-5,
    excess_homicides<=0"``) or :class:`Rule` objects. A rule reads the per-future mean. One row
    per strategy (:data:`SATISFICING_COLUMNS`): ``share`` = ``n_satisficed / n_futures``,
    ``n_futures`` the futures where the strategy has a value for every outcome the rules
    name, ``n_failed`` its failed experiments.

    Raises:
        InputError: (key ``satisfice``, one line) a bad rule (:func:`parse_rules`) or an
            outcome the table does not have.

    References:
        Starr (1963), *Product Design and Decision Theory* (the domain criterion); Herman,
        Reed, Zeff & Characklis (2015), J. Water Resour. Plann. Manage. 141(10).
    """
    _check_table(experiments)
    if isinstance(rules, str):
        candidates = [c for c in experiments.columns if c not in _ID_COLUMNS]
        parsed = parse_rules(rules, outcomes=candidates)
    else:
        parsed = tuple(rules)
        if not parsed:
            raise InputError(f"no rule given; {_SYNTAX}", key="satisfice")
        for rule in parsed:
            _outcome_names(experiments, [rule.outcome], key="satisfice")
    names = list(dict.fromkeys(rule.outcome for rule in parsed))
    values = _future_values(experiments, names).dropna()
    held = pd.Series(data=True, index=values.index)
    for rule in parsed:
        held &= rule.holds(values[rule.outcome])
    failed = _failed(experiments)
    rows = []
    for strategy in _strategies(experiments):
        mine = held.loc[strategy] if strategy in held.index.get_level_values(0) else held.iloc[0:0]
        n_futures, n_met = int(mine.size), int(mine.sum())
        share = n_met / n_futures if n_futures else math.nan
        rows.append((strategy, share, n_met, n_futures, int(failed.get(strategy, 0))))
    return pd.DataFrame(rows, columns=list(SATISFICING_COLUMNS))


def _signs(
    outcomes: Sequence[str], columns: Collection[str], senses: Mapping[str, Sense] | None
) -> NDArray[np.float64]:
    """+1 where lower is better, −1 where higher is; the errors name the outcome."""
    chosen = {**SENSE, **(senses or {})}
    signs = []
    for name in outcomes:
        if name not in columns:
            raise InputError(f"no column {name!r}; {_close(name, columns)}", key="outcomes")
        sense = chosen.get(name, "none")
        if sense not in get_args(Sense) or sense == "none":
            raise InputError(
                f"cannot rank {name!r}: its sense is {sense!r}; pass senses={{{name!r}: 'min'}} "
                "or 'max', or leave it out",
                key="outcomes",
            )
        signs.append(1.0 if sense == "min" else -1.0)
    return np.array(signs)


def pareto(
    table: pd.DataFrame, outcomes: Sequence[str], *, senses: Mapping[str, Sense] | None = None
) -> pd.DataFrame:
    """The rows of ``table`` that no other row dominates on ``outcomes``.

    Row a dominates row b when a is at least as good on every outcome and better on one
    (senses from :data:`SENSE`, overridden by ``senses``). Equal rows do not dominate each
    other: both are kept. Typically ``table`` is :func:`strategy_table` of
    :func:`robustness` (one row per strategy); the rows come back in their order.

    Raises:
        InputError: (key ``outcomes``) no outcome, a column the table lacks, an outcome
            whose sense is ``none``, or a missing value.

    References:
        Pareto (1906), *Manuale di economia politica*; Kasprzyk et al. (2013), "Many
        objective robust decision making", Environ. Model. Softw. 42.
    """
    names = list(dict.fromkeys([outcomes] if isinstance(outcomes, str) else outcomes))
    if not names:
        raise InputError("no outcome to compare; name one or more", key="outcomes")
    signs = _signs(names, [str(c) for c in table.columns], senses)
    costs = table[names].to_numpy(dtype=np.float64) * signs
    missing = np.isnan(costs)
    if missing.any():
        row, column = np.argwhere(missing)[0]
        who = table["strategy"].iloc[row] if "strategy" in table.columns else table.index[row]
        raise InputError(f"{who!r} has no value for {names[column]!r}", key="outcomes")
    no_worse = (costs[:, None, :] <= costs[None, :, :]).all(axis=2)
    better = (costs[:, None, :] < costs[None, :, :]).any(axis=2)
    dominated = (no_worse & better).any(axis=0)
    return table.iloc[np.flatnonzero(~dominated)]
