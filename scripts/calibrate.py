"""Calibrate the built-in supply so the status quo reproduces CBP's FY2024 port seizures.

Run ``python scripts/calibrate.py`` (after ``pip install -e .``): it writes
``src/counterflow/data/mexico/supply.csv`` and prints the calibration report that the data
README quotes. ``tests/test_calibration.py`` checks that the committed file equals this
script's output and that the targets are met.

Method. Each drug's supply is split over origins and organizations by the assumption table
``SPLIT`` below (documented in the data README). With fixed supply, the status-quo equilibrium
is solved and its US-port seizures per drug compared with CBP's (pounds -> kg x 0.45359237;
fiscal year -> month / 12); each drug's total is rescaled by target / model and the solve
repeated until every drug is within 1%. The US-port seizure rates per drug are assumptions
(``traffic.us_port_seizure_rate.*``), so the calibrated supply is conditional on them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from counterflow.assign import solve_equilibrium
from counterflow.data import builtin_path, load_dataset
from counterflow.policy import resolve_month_policy
from counterflow.scenario import Levers
from counterflow.scenario.parameters import resolve_parameters
from counterflow.traffic import build_trafficking_network, build_world, month_flows

KG_PER_LB = 0.45359237
MONTHS_PER_FISCAL_YEAR = 12.0
GAP = 1e-6
STEP_USD_PER_KG = 150.0  # market-access update per unit of log share error

# Share of each drug's supply by (origin node, organization). Assumption, from FACTS.md 5.4
# and 5.5: synthetic drugs are made mostly in Sinaloa (Culiacán area) and Jalisco, some in
# Michoacán; cocaine enters from Guatemala and through Pacific and Gulf seaports.
SPLIT: dict[str, list[tuple[str, str, float]]] = {
    "fentanyl": [
        ("prod-culiacan-labs", "sinaloa", 0.70),
        ("prod-jalisco", "cjng", 0.25),
        ("prod-tierra-caliente", "familia-michoacana", 0.03),
        ("prod-tierra-caliente", "carteles-unidos", 0.02),
    ],
    "methamphetamine": [
        ("prod-culiacan-labs", "sinaloa", 0.40),
        ("prod-jalisco", "cjng", 0.40),
        ("prod-jalisco", "noreste", 0.08),
        ("prod-jalisco", "golfo", 0.04),
        ("prod-tierra-caliente", "carteles-unidos", 0.04),
        ("prod-tierra-caliente", "familia-michoacana", 0.04),
    ],
    "cocaine": [
        ("gt-ciudad-hidalgo", "sinaloa", 0.30),
        ("sea-mazatlan", "sinaloa", 0.15),
        ("sea-manzanillo", "cjng", 0.30),
        ("gt-el-ceibo", "golfo", 0.10),
        ("gt-el-ceibo", "noreste", 0.10),
        ("sea-lazaro-cardenas", "familia-michoacana", 0.05),
    ],
}
SOURCE = (
    "calibrated: scripts/calibrate.py scales the drug's total so that status-quo US-port "
    "seizures equal CBP FY2024 OFO seizures (calibration_targets.csv); split over origins "
    "and organizations by assumption (scripts/calibrate.py SPLIT, FACTS.md 5.4-5.5)"
)


ACCESS_SOURCE = (
    "calibrated: scripts/calibrate.py adjusts this cost on the field office's hub links, per "
    "drug, until the status quo's port seizures of the drug by field office match CBP FY2024 "
    "shares (calibration_targets.csv)"
)
ITERATIONS = 120  # rounds of the fit at most; the report says how close it came


def targets_kg_per_month(folder: Path) -> pd.DataFrame:
    """CBP FY2024 port seizures per field office and drug, in kg per month."""
    table = pd.read_csv(folder / "calibration_targets.csv")
    table["kg_per_month"] = table["pounds"] * KG_PER_LB / MONTHS_PER_FISCAL_YEAR
    return table


def supply_table(totals: dict[str, float]) -> pd.DataFrame:
    """Supply rows from each drug's total and the split."""
    rows = [
        (drug, origin, org, round(totals[drug] * share, 3), SOURCE)
        for drug, parts in SPLIT.items()
        for origin, org, share in parts
    ]
    return pd.DataFrame(rows, columns=["drug", "origin", "org_id", "kg_per_month", "source"])


def model_seizures(supply: pd.DataFrame, access: dict[str, float]) -> pd.DataFrame:
    """Status-quo US-port seizures per field office and drug (kg per month)."""
    dataset = load_dataset()
    tnet = build_trafficking_network(dataset)
    status_quo = resolve_month_policy(Levers(), consented_this_month=True)
    world = build_world(
        tnet, dataset, resolve_parameters({}), status_quo, supply, market_access=access
    )
    result = solve_equilibrium(world.problem, gap=GAP)
    month = month_flows(tnet, world, result)
    return month.crossings.groupby(["commodity", "field_office"])["seized_kg"].sum().reset_index()


def calibrate() -> tuple[pd.DataFrame, dict[str, float], pd.DataFrame]:
    """Return the supply table, the market access per drug and field office, the fit report.

    Market access is keyed ``drug/office`` (``market_access.csv`` has a ``drug`` column).
    """
    folder = builtin_path("mexico")
    targets = targets_kg_per_month(folder)
    target = targets.groupby("drug")["kg_per_month"].sum()
    target_share = {
        drug: rows.set_index("cbp_field_office")["kg_per_month"] / rows["kg_per_month"].sum()
        for drug, rows in targets.groupby("drug")
    }
    offices = sorted(targets["cbp_field_office"].unique())
    totals = {drug: float(target[drug]) * 10.0 for drug in SPLIT}  # start: a 10% seizure rate
    access = {f"{drug}/{office}": 0.0 for drug in SPLIT for office in offices}
    for iteration in range(ITERATIONS):
        supply = supply_table(totals)
        seized = model_seizures(supply, access)
        by_drug = seized.groupby("commodity")["seized_kg"].sum()
        ratio = {drug: float(target[drug] / by_drug[drug]) for drug in SPLIT}
        totals_met = all(abs(r - 1.0) < 1e-3 for r in ratio.values())
        shares_met = True
        for drug in SPLIT:
            model = seized[seized["commodity"] == drug].set_index("field_office")["seized_kg"]
            share = (model / model.sum()).reindex(offices).fillna(0.0)
            wanted = target_share[drug].reindex(offices).fillna(0.0)
            shares_met &= bool((abs(share - wanted) < 0.01).all())
            error = np.log(np.maximum(share, 1e-3) / np.maximum(wanted, 1e-3))
            for office in offices:
                # Flows switch between offices almost all at once: a step that shrinks with
                # the rounds settles instead of jumping back and forth.
                size = STEP_USD_PER_KG * 0.97**iteration
                step = size * float(np.clip(error[office], -2, 2))
                access[f"{drug}/{office}"] += step
            floor = min(access[f"{drug}/{office}"] for office in offices)
            for office in offices:
                access[f"{drug}/{office}"] = round(access[f"{drug}/{office}"] - floor, 3)
        if totals_met and shares_met:
            break
        totals = {drug: totals[drug] * ratio[drug] for drug in SPLIT}
    supply = supply_table(totals)
    seized = model_seizures(supply, access)  # the written files, evaluated once more
    report = seized.rename(columns={"commodity": "drug", "seized_kg": "model_kg_per_month"})
    report = report.merge(
        targets[["drug", "cbp_field_office", "kg_per_month"]].rename(
            columns={"cbp_field_office": "field_office", "kg_per_month": "cbp_kg_per_month"}
        ),
        on=["drug", "field_office"],
    )
    return supply, access, report


def main() -> None:
    """Calibrate, write supply.csv and market_access.csv, print the report."""
    supply, access, report = calibrate()
    out = builtin_path("mexico") / "supply.csv"
    supply.to_csv(out, index=False, lineterminator="\n")
    pd.DataFrame(
        [(*key.split("/"), value, ACCESS_SOURCE) for key, value in sorted(access.items())],
        columns=["drug", "cbp_field_office", "usd_per_kg", "source"],
    ).to_csv(builtin_path("mexico") / "market_access.csv", index=False, lineterminator="\n")
    sys.stdout.write(f"market access (USD per kg): {access}\n")
    totals = report.groupby("drug")[["model_kg_per_month", "cbp_kg_per_month"]].sum()
    shares = report.assign(
        model_share=report["model_kg_per_month"]
        / report.groupby("drug")["model_kg_per_month"].transform("sum"),
        cbp_share=report["cbp_kg_per_month"]
        / report.groupby("drug")["cbp_kg_per_month"].transform("sum"),
    )
    sys.stdout.write(f"wrote {out}\n\nUS-port seizures, kg per month:\n{totals.round(1)}\n\n")
    sys.stdout.write(
        "shares by field office:\n"
        f"{shares[['drug', 'field_office', 'model_share', 'cbp_share']].round(3)}\n"
    )


if __name__ == "__main__":
    main()
