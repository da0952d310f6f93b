"""Issue 32, the terminal: printed text is text, Ctrl-C leaves nothing, big runs ask first."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.outfolder import LOCK_NAME, MANIFEST
from counterflow.run import LIMITS, estimate_cost
from counterflow.scenario import load_scenario

HOSTILE_NAME = (
    "plan [/bold] x Mexico [draft] 2025 \x1b[31mred\x1b[0m "
    "\x1b]8;;https://example.invalid\x07link\x1b]8;;\x07 bell\x07"
)


def _toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` (control characters as \\u escapes)."""
    return json.dumps(text, ensure_ascii=True)


def _small_scenario(folder: Path, name: str = "small", label: str = "Status quo") -> Path:
    path = folder / "small.toml"
    path.write_text(
        f"name = {_toml_string(name)}\n"
        'network = "builtin:mexico"\nmonths = 1\nseed = 1\nreplications = 1\n\n'
        f'[[strategy]]\nid = "status-quo"\nlabel = {_toml_string(label)}\n\n'
        '[[strategy]]\nid = "border-inspection-surge"\nlabel = "Surge"\n'
        '[strategy.levers]\nport_inspection = { "San Diego" = 1.5 }\n',
        encoding="utf-8",
    )
    return path


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str, Path]:
    """``compare`` on a scenario whose name and label hold markup and escape sequences."""
    folder = tmp_path_factory.mktemp("hostile")
    scenario = _small_scenario(folder, HOSTILE_NAME, "Status quo [/red] \x1b[2J\x9b31m")
    out = folder / "out"
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        code = main(["compare", str(scenario), "--out", str(out)])
        printed, errors = sys.stdout.getvalue(), sys.stderr.getvalue()
    finally:
        sys.stdout, sys.stderr = saved
    return code, printed, errors, out


# --- item 2: what the terminal prints is text ------------------------------------------------


def test_markup_in_a_scenario_name_prints_as_itself(hostile_run) -> None:
    code, printed, errors, out = hostile_run
    assert code == 0, errors
    assert "plan [/bold] x Mexico [draft] 2025 red link bell" in printed
    assert (out / "results.csv").is_file()


def test_no_escape_sequence_or_control_character_reaches_the_terminal(hostile_run) -> None:
    _, printed, errors, _ = hostile_run
    for text in (printed, errors):
        for character in ("\x1b", "\x07", "\x9b", "\x9d"):
            assert character not in text


def test_a_file_name_with_markup_prints_as_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plan[").mkdir()
    target = tmp_path / "plan[" / "bold].toml"  # the path holds "[/bold]"
    assert main(["init", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out


def test_the_error_line_holds_no_escape_or_line_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "evil\x1b]8;;http://x\x07name\nsecond line\x1b[2J.toml"
    assert main(["compare", str(missing), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("counterflow: error: ")
    assert "\x1b" not in line
    assert "\x07" not in line
    assert "name second line" in line
    assert not (tmp_path / "out").exists()


def test_a_hostile_key_in_a_scenario_gives_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _small_scenario(tmp_path)
    text = path.read_text(encoding="utf-8")
    key = _toml_string("a\x1b[31m\nb\x07")
    path.write_text(f"{key} = 1\n{text}", encoding="utf-8")
    assert main(["compare", str(path), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "\x1b" not in line
    assert "\x07" not in line
    assert not (tmp_path / "out").exists()


# --- item 7: Ctrl-C -------------------------------------------------------------------------


def _interrupt(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_during_the_run_says_so_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("counterflow.run.comparison.simulate", _interrupt)
    scenario = _small_scenario(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(scenario), "--out", str(out)]) == 130
    line = _one_line(capsys.readouterr().err)
    assert line == "counterflow: interrupted; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]  # no lock, no staging


def test_ctrl_c_while_writing_leaves_the_previous_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _small_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("old\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    manifest = {"written_by": "counterflow", "files": ["results.csv"]}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(
        "counterflow.cli.compare.report_files", lambda _results: {"report.html": _interrupt}
    )
    assert main(["compare", str(scenario), "--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        "counterflow: interrupted; nothing was written"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_ctrl_c_in_any_command_is_one_line_and_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("counterflow.cli.compare.builtin_scenario_path", _interrupt)
    assert main(["init", str(tmp_path / "copy.toml")]) == 130
    assert _one_line(capsys.readouterr().err) == "counterflow: interrupted; nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_a_killed_runs_lock_and_staging_are_cleared_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _small_scenario(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    (out / LOCK_NAME).write_text(f"{dead}\n{os.uname().nodename}\n\n", encoding="utf-8")
    staging = out / f".counterflow-staging-{dead}-0123abcd"
    staging.mkdir()
    (staging / "results.csv").write_text("half\n", encoding="utf-8")
    beside = tmp_path / f".out.counterflow-staging-{dead}-89abcdef"
    beside.mkdir()
    assert main(["compare", str(scenario), "--out", str(out)]) == 0, capsys.readouterr().err
    assert not staging.exists()
    assert not beside.exists()
    assert not (out / LOCK_NAME).exists()
    assert "status-quo" in (out / "results.csv").read_text(encoding="utf-8")


def test_a_killed_first_run_is_not_mistaken_for_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = _dead_pid()
    staging = tmp_path / f".out.counterflow-staging-{dead}-0123abcd"
    staging.mkdir()
    (staging / MANIFEST).write_text('{"written_by": "counterflow", "files": []}')
    assert main(["report", str(tmp_path / "out")]) == 2
    assert "Traceback" not in capsys.readouterr().err


# --- item 8: big runs say what they cost; progress without a terminal --------------------------


def test_the_built_in_scenario_runs_without_yes() -> None:
    scenario = load_scenario()
    assert estimate_cost(scenario).over() == []
    cost = estimate_cost(scenario.with_overrides(months=600, replications=1000))
    assert cost.over() == ["1 h of time", "4 GB of memory", "1 GB of output"]
    assert cost.seconds > LIMITS.seconds


def test_a_big_run_without_a_terminal_is_refused_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def ran(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the run started")

    monkeypatch.setattr("counterflow.cli.compare.run_compare", ran)
    out = tmp_path / "out"
    assert main(["compare", "--replications", "2000", "--out", str(out)]) == 2
    line = _one_line(capsys.readouterr().err.split("\n", 1)[1])  # after the note on ranges
    assert line.startswith("counterflow: error: --yes: this run (9 strategies × 2000 ")
    assert "pass --yes" in line
    assert list(tmp_path.iterdir()) == []


def test_yes_runs_a_big_run_and_says_what_it_costs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("counterflow.cli.compare.run_compare", _interrupt)
    out = tmp_path / "out"
    assert main(["compare", "--replications", "2000", "--yes", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "note: this run (9 strategies × 2000 replications × 24 months) is estimated at" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("n\n", 1), ("", 1), ("y\n", 130)])
def test_a_big_run_on_a_terminal_asks(
    answer: str,
    code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("counterflow.cli.compare.run_compare", _interrupt)
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    out = tmp_path / "out"
    assert main(["compare", "--replications", "2000", "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert "Run it? [y/N]" in err
    if code == 1:
        # a terminal echoes the answer and its line break; this fake does not
        assert err.splitlines()[-1].endswith("counterflow: not run; nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_progress_lines_when_stderr_is_not_a_terminal(hostile_run) -> None:
    _, _, errors, _ = hostile_run
    lines = [line for line in errors.splitlines() if line.startswith("counterflow: compare:")]
    assert lines[0].startswith("counterflow: compare: status-quo done, 1/2 runs (50%), 0:00:")
    assert lines[1].startswith("counterflow: compare: border-inspection-surge done, 2/2 runs")
    assert all(line.endswith(" elapsed") for line in lines)
    assert len(lines) == 2
