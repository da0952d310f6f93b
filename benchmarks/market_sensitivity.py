"""How the ranking of strategies moves with the market's most influential parameters.

Usage:
    python benchmarks/market_sensitivity.py [--replications R] [--months M]

Runs the built-in scenario at the defaults and with each of the market's three most influential
parameters at the ends of its range (the demand elasticities of all three drugs together, the
pass-through mix, the precursor half-life) and prints, per setting, every strategy's change in
delivered kg (all drugs, and fentanyl alone) against the status quo, and the ranking by the
all-drug change. Prints a Markdown table.
"""

from __future__ import annotations

import argparse

import counterflow
from counterflow.scenario.parameters import PARAMETERS

DRUGS = ("fentanyl", "methamphetamine", "cocaine")
ENDS = ("low", "high")


def _end(key: str, end: str) -> float:
    parameter = PARAMETERS[key]
    return parameter.low if end == "low" else parameter.high


def settings() -> list[tuple[str, dict[str, float]]]:
    """The defaults, then each parameter (the elasticities together) at each end of its range."""
    elasticities = [f"market.demand_elasticity.{d}" for d in DRUGS]
    out: list[tuple[str, dict[str, float]]] = [("defaults", {})]
    out += [(f"elasticities {end}", {k: _end(k, end) for k in elasticities}) for end in ENDS]
    out += [
        (f"{key.split('.', 1)[1]} {end}", {key: _end(key, end)})
        for key in ("market.pass_through_additive", "market.precursor_half_life_months")
        for end in ENDS
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    base = counterflow.load_scenario()
    names = [s.id for s in base.strategy[1:]]
    print("Columns: % change in delivered kg, all drugs (fentanyl in brackets), against the")
    print("status quo; ranking: the columns' numbers, most cut first.")
    print()
    print(
        "| setting | " + " | ".join(f"{i + 1}. {n}" for i, n in enumerate(names)) + " | ranking |"
    )
    print("|---|" + "---:|" * (len(base.strategy) - 1) + "---|")
    for name, values in settings():
        scenario = base.with_overrides(
            months=args.months,
            replications=args.replications,
            parameters={**base.parameters, **values},
        )
        rows = counterflow.compare(scenario).outcomes().set_index("strategy")
        fentanyl0 = rows.loc["status-quo", "delivered_kg_fentanyl"]
        rows = rows.drop(index="status-quo")
        cells = [
            f"{rows.loc[s, 'delivered_change_pct']:+.1f} "
            f"({100 * (rows.loc[s, 'delivered_kg_fentanyl'] / fentanyl0 - 1):+.1f})"
            for s in rows.index
        ]
        order = list(rows["delivered_change_pct"].sort_values().index)
        ranking = ", ".join(str(list(rows.index).index(s) + 1) for s in order)
        print(f"| {name} | " + " | ".join(cells) + f" | {ranking} |")


if __name__ == "__main__":
    main()
