"""The ensemble runner and ``counterflow explore`` (issue 33, items 3, 5 and 6).

Small on purpose: 3 strategies, 2 months, 1 replication, 4 futures over 2 uncertainties
(a full factorial, so both ends of each range are met).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import counterflow
from counterflow.cli import main
from counterflow.errors import InputError
from counterflow.exploration import ensemble as ensemble_module
from counterflow.exploration.ensemble import (
    OUTCOME_COLUMNS,
    Ensemble,
    FutureModel,
    explore,
    plan_ensemble,
    run_ensemble,
)
from counterflow.exploration.robustness import parse_rules
from counterflow.model import Results
from counterflow.run import Experiment
from counterflow.scenario import Scenario, builtin_scenario_path, load_scenario

KEEP = ("status-quo", "border-inspection-surge", "fto-financial-sanctions")
ELASTICITY = "market.demand_elasticity.fentanyl"
UNCERTAINTIES = {ELASTICITY: (0.1, 1.0), "traffic.port_alpha": (0.0, 4.0)}
OPTIONS = {"futures": 4, "sampler": "factorial"}

SCENARIO_TOML = """
name = "explore-test"
months = 2
seed = 7
replications = 1

[uncertainties]
"market.demand_elasticity.fentanyl" = [0.1, 1.0]
"traffic.port_alpha" = [0.0, 4.0]

[[strategy]]
id = "status-quo"
label = "Status quo"

[[strategy]]
id = "border-inspection-surge"
label = "Border inspection surge"
[strategy.levers]
port_inspection = { "San Diego" = 1.5, "Tucson" = 1.5, "El Paso" = 1.5, "Laredo" = 1.5 }
"""


def small_scenario(**changes: object) -> Scenario:
    builtin = load_scenario(builtin_scenario_path())
    settings = {
        "months": 2,
        "replications": 1,
        "strategy": [s for s in builtin.strategy if s.id in KEEP],
        "uncertainties": UNCERTAINTIES,
    }
    return builtin.with_overrides(**{**settings, **changes})


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, Path]:
    out = tmp_path_factory.mktemp("ensemble") / "out"
    return explore(small_scenario(), out=out, satisfice="delivered_change_pct<=-1", **OPTIONS), out


def test_experiments_table_shape_and_columns(ensemble: tuple[Results, Path]) -> None:
    result, out = ensemble
    table = result.experiments
    assert len(table) == 4 * 1 * 3
    assert list(table.columns) == [
        "experiment_id",
        "strategy",
        "future_id",
        "replication",
        "seed",
        "unc__market.demand_elasticity.fentanyl",
        "unc__traffic.port_alpha",
        *OUTCOME_COLUMNS,
        "error",
    ]
    assert table["experiment_id"].tolist() == list(range(12))
    assert table["error"].isna().all()
    assert table["strategy"].tolist() == list(KEEP) * 4
    assert (table["seed"] == result.scenario.seed).all()
    # the status quo is its own baseline in every future
    quo = table[table["strategy"] == "status-quo"]
    assert np.allclose(quo["delivered_change_pct"], 0.0)
    written = pd.read_parquet(out / "experiments.parquet")
    pd.testing.assert_frame_equal(written, table, check_dtype=False)
    expected = [
        "experiments.parquet",
        "manifest.json",
        "report.html",
        "robustness.csv",
        "scenario.json",
        "tables",
    ]
    prim = result.prim
    if not prim.empty:  # the rules of the fixture give PRIM cases where some futures fail them
        expected = sorted([*expected, "prim"])
        boxes = prim[["strategy", "outcome"]].drop_duplicates()
        assert sorted(p.name for p in (out / "prim").iterdir()) == sorted(
            f"{s}__{o}.csv" for s, o in boxes.itertuples(index=False)
        )
    assert sorted(p.name for p in out.iterdir()) == expected


def test_future_values_reach_the_model(ensemble: tuple[Results, Path]) -> None:
    """Futures 0 and 2 differ only in demand elasticity (factorial, first key slowest)."""
    table = ensemble[0].experiments
    surge = table[table["strategy"] == "border-inspection-surge"].set_index("future_id")
    low, high = surge.loc[0], surge.loc[2]
    assert low["unc__traffic.port_alpha"] == high["unc__traffic.port_alpha"]
    assert low[f"unc__{ELASTICITY}"] == 0.1
    assert high[f"unc__{ELASTICITY}"] == 1.0
    assert low["delivered_kg"] != pytest.approx(high["delivered_kg"], rel=1e-6)
    assert low["delivered_change_pct"] != pytest.approx(high["delivered_change_pct"], rel=1e-3)


def test_robustness_table(ensemble: tuple[Results, Path]) -> None:
    result, out = ensemble
    robust = pd.read_csv(out / "robustness.csv")
    assert set(robust["strategy"]) == set(KEEP)
    delivered = robust[robust["outcome"] == "delivered_kg"]
    assert delivered["mean_regret"].notna().all()
    assert (robust["satisfice"] == "delivered_change_pct<=-1").all()
    quo = robust[robust["strategy"] == "status-quo"]["satisficing_share"]
    assert (quo == 0.0).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["state"] == "complete"
    spec = plan_ensemble(small_scenario(), **OPTIONS)
    assert manifest["ensemble_hash"] == result.ensemble["ensemble_hash"] == spec.digest


def test_an_error_is_recorded_and_the_ensemble_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ensemble_module.simulate

    def failing(context, strategy, *, replication, future, cache):  # type: ignore[no-untyped-def]
        if future == 1 and strategy.id == "fto-financial-sanctions":
            raise RuntimeError("boom\nsecond line")
        return real(context, strategy, replication=replication, future=future, cache=cache)

    monkeypatch.setattr(ensemble_module, "simulate", failing)
    result = explore(small_scenario(), **OPTIONS)
    table = result.experiments
    failed = table[table["error"].notna()]
    assert failed[["strategy", "future_id"]].to_numpy().tolist() == [["fto-financial-sanctions", 1]]
    assert failed["error"].iloc[0] == "RuntimeError: boom second line"
    assert failed[list(OUTCOME_COLUMNS)].isna().all(axis=None)
    assert table["error"].isna().sum() == 11
    assert not table[table["error"].isna()][["delivered_kg"]].isna().any(axis=None)


def test_a_failed_status_quo_fails_its_future_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real = FutureModel.scenario_of

    def broken(self: FutureModel, future: int) -> Scenario:
        if future == 3:
            raise ValueError("no calibration")
        return real(self, future)

    monkeypatch.setattr(FutureModel, "scenario_of", broken)
    table = explore(small_scenario(), **OPTIONS).experiments
    errors = table.set_index(["future_id", "strategy"])["error"]
    assert errors.loc[3].str.contains("preparing future 3 failed: ValueError").all()
    assert errors.drop(index=3, level=0).isna().all()


def test_resume_after_an_interruption_equals_an_uninterrupted_run(
    ensemble: tuple[Results, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    spec = plan_ensemble(small_scenario(), satisfice="delivered_change_pct<=-1", **OPTIONS)
    seen: list[int] = []

    def interrupt(done: int, total: int, experiment: Experiment) -> None:
        seen.append(done)
        if done == 3:  # the first part (one group of 3 strategies) has just been written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ensemble(spec, out=out, progress=interrupt, groups_per_part=1)
    assert sorted(p.name for p in (out / "parts").iterdir()) == ["part-00000.parquet"]
    assert json.loads((out / "manifest.json").read_text())["state"] == "running"
    resumed_at: list[int] = []
    result = run_ensemble(
        spec, out=out, resume=True, progress=lambda done, *_: resumed_at.append(done)
    )
    assert resumed_at == list(range(4, 13))  # nothing recomputed
    assert result.statistics.resumed == 3
    assert result.statistics.run == 9
    pd.testing.assert_frame_equal(result.experiments, ensemble[0].experiments)
    written = pd.read_parquet(out / "experiments.parquet")
    pd.testing.assert_frame_equal(written, pd.read_parquet(ensemble[1] / "experiments.parquet"))
    assert not (out / "parts").exists()


def test_resume_refuses_another_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = plan_ensemble(small_scenario(), **OPTIONS)

    def interrupt(done: int, total: int, experiment: Experiment) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ensemble(spec, out=out, progress=interrupt, groups_per_part=1)
    other = plan_ensemble(small_scenario(months=3), **OPTIONS)
    with pytest.raises(InputError, match="another scenario"):
        run_ensemble(other, out=out, resume=True)
    with pytest.raises(InputError, match="unfinished ensemble"):
        run_ensemble(spec, out=out)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "explore.toml"
    path.write_text(SCENARIO_TOML, encoding="utf-8")
    return path


def test_cli_end_to_end(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["explore", str(scenario_file), "--futures", "3", "--sampler", "sobol",
                 "--out", str(out), "--satisfice", "delivered_change_pct<=0"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "sobol: 3 futures rounded up to 4" in captured.err
    assert "months solved to relative gap 1e-05, supply step 0.01 (--precision ensemble" in (
        captured.out
    )
    assert "8 experiments (4 futures × 1 replications × 2 strategies)" in captured.out
    assert "s per experiment" in captured.out
    assert sorted(p.name for p in out.iterdir() if p.name != "prim") == [
        "experiments.parquet",
        "manifest.json",
        "report.html",
        "robustness.csv",
        "scenario.json",
        "tables",
    ]
    assert len(pd.read_parquet(out / "experiments.parquet")) == 8
    assert "report.html" in captured.out


def test_cli_resume_refuses_another_scenario(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    spec = plan_ensemble(load_scenario(scenario_file), futures=2)

    def interrupt(done: int, total: int, experiment: Experiment) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ensemble(spec, out=out, progress=interrupt, groups_per_part=1)
    before = sorted(p.name for p in out.rglob("*"))
    code = main(["explore", str(scenario_file), "--futures", "2", "--months", "3",
                 "--resume", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1
    assert "another scenario" in err
    assert sorted(p.name for p in out.rglob("*")) == before


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--sampler", "grid"], "unknown sampler 'grid'"),
        (["--executor", "mpi"], "unknown executor 'mpi'"),
        (["--executor", "processes", "--workers", "0"], "needs at least 1 worker, got 0"),
        (["--scheduler", "tcp://127.0.0.1:1"], "use it with --executor dask"),
        (["--futures", "0"], "at least 1, not 0"),
        (["--satisfice", "delivered_pct<=-5"], "unknown outcome 'delivered_pct'"),
        (["--satisfice", "delivered_kg<="], "has no value"),
        (["--resume", "nowhere"], "not an ensemble folder"),
        (["--zero-width"], "zero width"),
        (["--no-uncertainties"], "no uncertainties to sample"),
        (["--precision", "exact"], "unknown precision 'exact'; use one of ensemble, full"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(
    arguments: list[str],
    expected: str,
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    text = scenario_file.read_text(encoding="utf-8")
    if arguments == ["--zero-width"]:
        text = text.replace("[0.0, 4.0]", "[2.0, 2.0]")
        arguments = []
    if arguments == ["--no-uncertainties"]:
        text = text.replace('"traffic.port_alpha" = [0.0, 4.0]', "").replace(
            '"market.demand_elasticity.fentanyl" = [0.1, 1.0]', ""
        )
        arguments = []
    scenario_file.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["explore", str(scenario_file), "--futures", "2", *arguments])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert expected in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_python_api_is_exported_lazily(ensemble: tuple[Results, Path]) -> None:
    assert counterflow.Ensemble is Ensemble
    assert counterflow.explore is explore  # the function; the package is counterflow.exploration
    result = ensemble[0]
    assert isinstance(result, Results)
    assert result.kind == "ensemble"
    assert result.rows == ()
    assert result.ensemble["sampler"] == "factorial"
    assert result.parameters[ELASTICITY] > 0


def test_cli_ctrl_c_says_where_the_parts_are_and_how_to_resume(
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from counterflow.cli import explore as command

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "_run", stop)
    out = tmp_path / "out"
    code = main(["explore", str(scenario_file), "--futures", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 130
    lines = [line for line in err.splitlines() if line.startswith("counterflow:")]
    expected = (
        f"counterflow: interrupted; finished parts are kept in {out}/parts; continue with "
        f"--resume {out} and the same options"
    )
    assert lines == [expected]
    assert "nothing was written" not in err


def test_prim_finds_where_a_strategy_fails_its_rules(
    ensemble: tuple[Results, Path], tmp_path: Path
) -> None:
    """A synthetic experiments table with a known failure region: x_a < 0.4 for strategy A."""
    from counterflow.exploration.ensemble import discover

    rng = np.random.default_rng(5)
    n = 400
    a, b = rng.random(n), rng.random(n)
    change = np.where(a < 0.4, 2.0, -3.0)  # fails "<= -1" exactly where a < 0.4
    rows = pd.DataFrame(
        {
            "strategy": "A",
            "future_id": np.arange(n),
            "replication": 0,
            "unc__a": a,
            "unc__b": b,
            "delivered_change_pct": change,
            "error": None,
        }
    )
    spec = plan_ensemble(small_scenario(), satisfice="delivered_change_pct<=-1", **OPTIONS)
    found = discover(rows, spec)
    assert list(found.columns[:2]) == ["strategy", "outcome"]
    assert set(zip(found["strategy"], found["outcome"], strict=True)) == {
        ("A", "delivered_change_pct")
    }
    table = found
    box = table[table["part"] == "box"].set_index("uncertainty")
    assert bool(box.loc["unc__a", "restricted"])
    assert not bool(box.loc["unc__b", "restricted"])
    assert abs(float(box.loc["unc__a", "high"]) - 0.4) < 0.03
    assert float(box["density"].iloc[0]) >= 0.98
    assert (table["part"] == "trajectory").sum() >= 2
    results = ensemble[0]
    written = replace(results, tables={**results.tables, "prim": found}).to_folder(tmp_path / "o")
    csv = pd.read_csv(written / "prim" / "A__delivered_change_pct.csv")
    assert list(csv.columns[:2]) == ["part", "step"]
    assert len(csv) == len(found)
    # Without rules there is no case of interest, so no box.
    assert discover(rows, replace(spec, rules=parse_rules("delivered_kg>=0")[:0])).empty


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_parallel_executors_give_the_serial_experiments(
    executor: str, ensemble: tuple[Results, Path]
) -> None:
    """The same seed gives identical experiments on every evaluator (chunks by future)."""
    if executor == "dask":
        pytest.importorskip("distributed")
    serial, _ = ensemble
    parallel = explore(
        small_scenario(),
        satisfice="delivered_change_pct<=-1",
        executor=executor,
        workers=2,
        **OPTIONS,
    )
    columns = [c for c in serial.experiments.columns if c != "experiment_id"]
    pd.testing.assert_frame_equal(
        parallel.experiments[columns].reset_index(drop=True),
        serial.experiments[columns].reset_index(drop=True),
    )


@pytest.mark.slow
def test_sigint_to_the_command_then_resume_equals_an_uninterrupted_run(
    scenario_file: Path, tmp_path: Path
) -> None:
    """Issue 33, item 7: a real SIGINT after the first part file, then --resume."""
    import signal
    import subprocess
    import sys
    import time

    def command(*extra: str) -> list[str]:
        return [sys.executable, "-m", "counterflow.cli", "explore", str(scenario_file),
                "--futures", "16", "--sampler", "lhs", *extra]  # fmt: skip

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    done = subprocess.run(command("--out", str(whole)), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    running = subprocess.Popen(command("--out", str(cut)), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((cut / "parts").glob("part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.poll() is None, "the run ended before its first part could be interrupted"
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 130, err
    assert "continue with --resume" in err
    assert "Traceback" not in err
    kept = len(list((cut / "parts").glob("part-*.parquet")))
    assert 1 <= kept < 4
    resumed = subprocess.run(
        command("--resume", str(cut)), capture_output=True, text=True, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "found done (--resume)" in resumed.stdout
    pd.testing.assert_frame_equal(
        pd.read_parquet(cut / "experiments.parquet"), pd.read_parquet(whole / "experiments.parquet")
    )


def test_precision_sets_the_solver_where_the_scenario_does_not() -> None:
    ensemble = plan_ensemble(small_scenario(), **OPTIONS)
    assert ensemble.parameters["solver.gap"] == 1e-5
    assert ensemble.parameters["solver.supply_step"] == 1e-2
    assert ensemble.record()["solver_gap"] == 1e-5
    full = plan_ensemble(small_scenario(), precision="full", **OPTIONS)
    assert full.parameters["solver.gap"] == 1e-6
    assert full.parameters["solver.supply_step"] == 1e-3
    assert full.digest != ensemble.digest  # --resume with another precision is refused
    own = plan_ensemble(small_scenario(parameters={"solver.gap": 3e-6}), **OPTIONS)
    assert own.parameters["solver.gap"] == 3e-6  # the scenario's own setting wins
    assert own.parameters["solver.supply_step"] == 1e-2
    with pytest.raises(InputError, match="unknown precision"):
        plan_ensemble(small_scenario(), precision="exact", **OPTIONS)


def test_each_future_runs_at_the_ensemble_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = plan_ensemble(small_scenario(), **OPTIONS)
    values = spec.futures.table[list(spec.futures.columns)].to_numpy(dtype=np.float64)
    model = FutureModel(spec.scenario, spec.futures.keys, values)
    seen: list[float] = []
    original = ensemble_module.simulate

    def spy(context, strategy, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(context.parameters["solver.gap"])
        return original(context, strategy, **kwargs)

    monkeypatch.setattr(ensemble_module, "simulate", spy)
    model(Experiment("border-inspection-surge", 0, 1))
    assert seen == [1e-5]
