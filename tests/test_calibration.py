"""The committed supply.csv and market_access.csv are what scripts/calibrate.py writes.

Equal to 0.1%: the script is deterministic on one machine, but another CPU may round the
compiled kernels' exp/log differently, and the calibration's equilibria then stop
at slightly different iterates (gap 1e-6 since the path-based solver).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from counterflow.data import builtin_path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "calibrate.py"


@pytest.mark.slow
def test_committed_calibration_equals_the_script_output() -> None:
    spec = importlib.util.spec_from_file_location("calibrate", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    supply, access, report = module.calibrate()
    committed = pd.read_csv(builtin_path("mexico") / "supply.csv")
    pd.testing.assert_frame_equal(
        supply.reset_index(drop=True), committed, check_dtype=False, rtol=1e-3
    )
    committed_access = pd.read_csv(builtin_path("mexico") / "market_access.csv")
    committed_costs = {
        f"{drug}/{office}": cost
        for drug, office, cost in zip(
            committed_access["drug"],
            committed_access["cbp_field_office"],
            committed_access["usd_per_kg"],
            strict=True,
        )
    }
    assert committed_costs == pytest.approx(access, rel=1e-3, abs=1.0)
    totals = report.groupby("drug")[["model_kg_per_month", "cbp_kg_per_month"]].sum()
    ratio = totals["model_kg_per_month"] / totals["cbp_kg_per_month"]
    assert ((ratio - 1).abs() <= 0.10).all()
