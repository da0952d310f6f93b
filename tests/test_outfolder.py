"""Writing a results folder: checked before the run, locked during it, never half-written."""

from __future__ import annotations

import errno
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from counterflow.errors import CounterflowError, InputError
from counterflow.outfolder import (
    LOCK_NAME,
    MANIFEST,
    OutputError,
    check_out_folder,
    claim_out_folder,
    read_manifest,
    to_csv_text,
)

Writer = Callable[[Path], None]


def text(content: str) -> Writer:
    def write(path: Path) -> None:
        path.write_text(content, encoding="utf-8")

    return write


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative name."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def beside_lock(out: Path) -> Path:
    return out.parent / f".{out.name}.counterflow-lock"


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fallback folders (tempfile.mkdtemp) go under tmp_path, not the system's /tmp."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


# --- writing --------------------------------------------------------------------------------


def test_new_folder_is_written_whole_with_its_manifest(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        assert beside_lock(out).read_text().split("\n")[0] == str(os.getpid())
        folder.write(
            {
                "results.csv": text("a,b\n1,2\n"),
                "report.html": text("<html></html>"),
                "tables/drugs.csv": text("drug\ncocaine\n"),
            },
            manifest={"scenario": "mexico-2025", "seed": np.int64(7)},
        )
    assert snapshot(out).keys() == {
        "results.csv",
        "report.html",
        "tables/drugs.csv",
        MANIFEST,
    }
    assert (out / "tables" / "drugs.csv").read_text() == "drug\ncocaine\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest == {
        "scenario": "mexico-2025",
        "seed": 7,
        "written_by": "counterflow",
        "files": ["report.html", "results.csv", "tables/drugs.csv"],
    }
    assert read_manifest(out) == manifest
    assert sorted(p.name for p in parent.iterdir()) == ["out"]  # no lock, no staging left


def test_rewrite_removes_stale_files_and_keeps_the_users(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write(
            {
                "results.csv": text("old\n"),
                "regions.csv": text("old regions\n"),
                "tables/drugs.csv": text("old table\n"),
            },
            manifest={},
        )
    (out / "notes.txt").write_text("my notes")
    with claim_out_folder(out) as folder:
        assert (out / LOCK_NAME).exists()
        folder.write({"results.csv": text("new\n"), "crossings.csv": text("c\n")}, manifest={})
    assert snapshot(out) == {
        "crossings.csv": b"c\n",
        "results.csv": b"new\n",
        "notes.txt": b"my notes",
        MANIFEST: (out / MANIFEST).read_bytes(),
    }
    assert not (out / "tables").exists()  # emptied subfolder counterflow made is removed
    assert read_manifest(out) is not None
    assert read_manifest(out)["files"] == ["crossings.csv", "results.csv"]  # type: ignore[index]


def test_a_users_file_in_a_subfolder_keeps_that_subfolder(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"tables/a.csv": text("a\n")}, manifest={})
    (out / "tables" / "mine.txt").write_text("mine")
    with claim_out_folder(out) as folder:
        folder.write({"results.csv": text("r\n")}, manifest={})
    assert snapshot(out).keys() == {"results.csv", "tables/mine.txt", MANIFEST}


def test_results_not_written_by_counterflow_are_refused_without_force(parent: Path) -> None:
    out = parent / "out"
    out.mkdir()
    (out / "results.csv").write_text("theirs")
    (out / "notes.txt").write_text("notes")
    with pytest.raises(InputError, match=r"results\.csv.*--force") as caught:
        check_out_folder(out)
    assert caught.value.path == str(out)
    with pytest.raises(InputError, match="not written by counterflow"), claim_out_folder(out):
        pass
    assert not (out / LOCK_NAME).exists()

    with claim_out_folder(out, force=True) as folder:
        folder.write({"results.csv": text("ours")}, manifest={})
    assert (out / "results.csv").read_text() == "ours"
    assert (out / "notes.txt").read_text() == "notes"
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "notes.txt", "results.csv"]


def test_a_manifest_that_is_not_counterflows_counts_as_foreign(parent: Path) -> None:
    out = parent / "out"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"files": ["x"]}))
    assert read_manifest(out) is None
    with pytest.raises(InputError, match=MANIFEST):
        check_out_folder(out)
    (out / MANIFEST).write_text("{not json")
    assert read_manifest(out) is None
    with pytest.raises(InputError, match=MANIFEST):
        check_out_folder(out)


def test_a_file_a_user_added_under_a_counterflow_name_is_refused(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"results.csv": text("r\n")}, manifest={})
    (out / "regions.csv").write_text("my regions")
    with pytest.raises(InputError, match=r"regions\.csv"):
        check_out_folder(out)


def test_a_clash_that_appears_during_the_run_keeps_the_results(parent: Path) -> None:
    out = parent / "out"
    out.mkdir()
    with claim_out_folder(out) as folder:
        (out / "results.csv").write_text("theirs")
        with pytest.raises(OutputError, match="not written by counterflow") as caught:
            folder.write({"results.csv": text("ours")}, manifest={})
    assert (out / "results.csv").read_text() == "theirs"
    kept = caught.value.results
    assert kept is not None
    assert str(kept) in str(caught.value)
    assert (kept / "results.csv").read_text() == "ours"


# --- checks before the run ------------------------------------------------------------------


def test_out_that_is_a_file_is_refused(parent: Path) -> None:
    out = parent / "out"
    out.write_text("x")
    with pytest.raises(InputError, match="not a folder") as caught:
        check_out_folder(out)
    assert caught.value.path == str(out)


def test_missing_parent_is_refused(parent: Path) -> None:
    out = parent / "missing" / "out"
    with pytest.raises(InputError, match="parent folder does not exist") as caught:
        check_out_folder(out)
    assert caught.value.path == str(parent / "missing")
    assert not (parent / "missing").exists()


def test_unwritable_parent_is_refused(parent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root writes through 0o555, so the refusal of the file system is simulated.
    real_mkdir = os.mkdir

    def mkdir(path: str | Path, mode: int = 0o777, *args: object, **kwargs: object) -> None:
        if Path(path).parent == parent:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_mkdir(path, mode)

    monkeypatch.setattr(os, "mkdir", mkdir)
    with pytest.raises(InputError, match="cannot write here \\(Permission denied\\)") as caught:
        check_out_folder(parent / "out")
    assert caught.value.path == str(parent)
    assert list(parent.iterdir()) == []


def test_read_only_parent_is_refused_for_real(parent: Path) -> None:
    parent.chmod(0o555)
    try:
        try:
            (parent / "probe").mkdir()
        except PermissionError:
            pass
        else:
            (parent / "probe").rmdir()
            pytest.skip("this user (root) can write into a 0o555 folder")
        with pytest.raises(InputError, match="cannot write here"):
            check_out_folder(parent / "out")
    finally:
        parent.chmod(0o755)


# --- the lock -------------------------------------------------------------------------------


@pytest.mark.parametrize("exists", [False, True])
def test_a_live_lock_is_refused_with_its_pid(parent: Path, exists: bool) -> None:
    out = parent / "out"
    if exists:
        out.mkdir()
    with claim_out_folder(out):
        message = f"another counterflow run \\(pid {os.getpid()}\\) is writing"
        with pytest.raises(InputError, match=message) as caught, claim_out_folder(out):
            pass
        assert caught.value.path == str(out)
        with pytest.raises(InputError, match=message):
            check_out_folder(out)
    with claim_out_folder(out):  # released
        pass


def test_a_first_write_in_progress_guards_the_new_folder(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"results.csv": text("r\n")}, manifest={})
        # out exists now, but the lock of this run is still beside it
        with pytest.raises(InputError, match=f"pid {os.getpid()}"), claim_out_folder(out):
            pass


@pytest.mark.parametrize("exists", [False, True])
def test_a_stale_lock_is_taken_over(parent: Path, exists: bool) -> None:
    out = parent / "out"
    if exists:
        out.mkdir()
    lock = out / LOCK_NAME if exists else beside_lock(out)
    pid = dead_pid()
    lock.write_text(f"{pid}\n{socket.gethostname()}\n\n")
    with claim_out_folder(out) as folder:
        assert lock.read_text().split("\n")[0] == str(os.getpid())
        folder.write({"results.csv": text("r\n")}, manifest={})
    assert not lock.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_lock_of_a_reused_pid_is_stale(parent: Path) -> None:
    # In a container the new run often has the pid of the killed one; its start time differs.
    out = parent / "out"
    beside_lock(out).write_text(f"{os.getpid()}\n{socket.gethostname()}\n1\n")
    with claim_out_folder(out):
        pass


def test_a_lock_of_another_host_is_refused_and_named(parent: Path) -> None:
    out = parent / "out"
    beside_lock(out).write_text("4242\nsome-other-host\n\n")
    with pytest.raises(InputError, match="pid 4242 on some-other-host") as caught:
        check_out_folder(out)
    assert str(beside_lock(out)) in str(caught.value)


def test_the_lock_is_released_on_keyboard_interrupt(parent: Path) -> None:
    out = parent / "out"
    out.mkdir()

    def interrupted_run() -> None:
        with claim_out_folder(out):
            assert (out / LOCK_NAME).exists()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_run()
    assert not (out / LOCK_NAME).exists()


def test_stale_staging_folders_are_removed_and_nothing_else(parent: Path) -> None:
    out = parent / "out"
    out.mkdir()
    pid = dead_pid()
    stale = [
        parent / f".out.counterflow-staging-{pid}-0a1b2c3d",
        out / f".counterflow-staging-{pid}.12345-0a1b2c3d",
    ]
    kept = [
        parent / f".out.counterflow-staging-{os.getpid()}-0a1b2c3d",  # a live run
        parent / f".other.counterflow-staging-{pid}-0a1b2c3d",  # another folder's
        parent / ".hidden",
        out / ".cache",
        out / f"counterflow-results-{pid}-0a1b2c3d",  # results kept after a failure
    ]
    for folder in stale + kept:
        folder.mkdir()
        (folder / "file.csv").write_text("x")
    with claim_out_folder(out):
        pass
    assert [folder.exists() for folder in stale] == [False, False]
    assert all((folder / "file.csv").exists() for folder in kept)


# --- failures while writing -----------------------------------------------------------------


def fail_replace(
    monkeypatch: pytest.MonkeyPatch, code: int, when: Callable[[Path, Path], bool]
) -> None:
    real_replace = os.replace

    def replace(source: str | Path, target: str | Path) -> None:
        if when(Path(source), Path(target)):
            raise OSError(code, os.strerror(code), str(source), None, str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)


def into(target: Path) -> Callable[[Path, Path], bool]:
    """Whether a rename moves a staged file (beside a staged manifest) onto ``target``."""
    return lambda source, to: to == target and (source.parent / MANIFEST).exists()


def test_exdev_on_every_rename_leaves_the_results_in_staging(
    parent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        fail_replace(monkeypatch, errno.EXDEV, lambda _s, _t: True)
        with pytest.raises(OutputError) as caught:
            folder.write({"results.csv": text("r\n"), "report.html": text("h")}, manifest={})
        monkeypatch.undo()
    error = caught.value
    assert isinstance(error, CounterflowError)
    assert isinstance(error, OSError)
    assert not isinstance(error, InputError)
    assert error.errno == errno.EXDEV
    assert "\n" not in str(error)
    assert os.strerror(errno.EXDEV) in str(error)
    assert error.results is not None
    assert str(error.results) in str(error)
    assert snapshot(error.results).keys() == {"results.csv", "report.html", MANIFEST}
    assert not out.exists()


def test_exdev_into_a_new_folder_keeps_the_results_beside_it(
    parent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        fail_replace(monkeypatch, errno.EXDEV, lambda _s, target: target == out)
        with pytest.raises(OutputError) as caught:
            folder.write({"results.csv": text("r\n")}, manifest={})
    kept = caught.value.results
    assert kept is not None
    assert kept.parent == parent
    assert kept.name.startswith("out.counterflow-results-")  # visible, and not removed later
    assert (kept / "results.csv").read_text() == "r\n"
    assert not out.exists()
    with claim_out_folder(out):
        pass
    assert kept.exists()


def test_a_failed_move_into_an_existing_folder_leaves_it_unchanged(
    parent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write(
            {"results.csv": text("old\n"), "regions.csv": text("old\n")},
            manifest={"run": 1},
        )
    (out / "notes.txt").write_text("notes")
    before = snapshot(out)
    with claim_out_folder(out) as folder:
        # crossings.csv moves first (sorted names), then moving the new results.csv fails
        fail_replace(monkeypatch, errno.EXDEV, into(out / "results.csv"))
        with pytest.raises(OutputError, match="unchanged") as caught:
            folder.write(
                {"crossings.csv": text("new\n"), "results.csv": text("new\n")},
                manifest={"run": 2},
            )
        monkeypatch.undo()
    kept = caught.value.results
    assert kept is not None
    assert kept.parent == out
    assert str(kept) in str(caught.value)
    assert snapshot(kept) == {
        "crossings.csv": b"new\n",
        "results.csv": b"new\n",
        MANIFEST: (kept / MANIFEST).read_bytes(),
    }
    assert json.loads((kept / MANIFEST).read_text())["run"] == 2
    after = {name: data for name, data in snapshot(out).items() if not name.startswith(kept.name)}
    assert after == before
    assert not any(p.name.startswith(".counterflow-staging") for p in out.iterdir())


def test_a_failed_manifest_move_undoes_the_stale_removal(
    parent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"results.csv": text("old\n"), "tables/a.csv": text("old\n")}, manifest={})
    before = snapshot(out)
    with claim_out_folder(out) as folder:
        fail_replace(monkeypatch, errno.EROFS, into(out / MANIFEST))
        with pytest.raises(OutputError, match=os.strerror(errno.EROFS)):
            folder.write({"results.csv": text("new\n")}, manifest={})
        monkeypatch.undo()
    after = {n: d for n, d in snapshot(out).items() if not n.startswith("counterflow-results-")}
    assert after == before


def test_a_failed_rollback_says_the_folder_may_be_mixed(
    parent: Path, private_tempdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"results.csv": text("old\n")}, manifest={})
    with claim_out_folder(out) as folder:
        into_results = into(out / "results.csv")

        def when(source: Path, target: Path) -> bool:
            moving_back = source == out / "crossings.csv" and (target.parent / MANIFEST).exists()
            return into_results(source, target) or moving_back

        fail_replace(monkeypatch, errno.EIO, when)
        with pytest.raises(OutputError, match="may hold a mix of old and new") as caught:
            folder.write(
                {"crossings.csv": text("new\n"), "results.csv": text("new\n")}, manifest={}
            )
        monkeypatch.undo()
    assert (out / "results.csv").read_text() == "old\n"  # put back
    assert (out / "crossings.csv").read_text() == "new\n"  # stuck: the mix
    kept = caught.value.results
    assert kept is not None
    assert kept.parent == private_tempdir  # staging lost crossings.csv, so written again
    assert str(caught.value).endswith(f"the results are in {kept}")
    assert snapshot(kept).keys() == {"crossings.csv", "results.csv", MANIFEST}
    assert sorted(p.name for p in out.iterdir()) == ["crossings.csv", MANIFEST, "results.csv"]


def test_a_failed_rollback_that_put_the_old_files_back_says_unchanged(
    parent: Path, private_tempdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"crossings.csv": text("old\n"), "results.csv": text("old\n")}, manifest={})
    before = snapshot(out)
    with claim_out_folder(out) as folder:
        into_results = into(out / "results.csv")

        def when(source: Path, target: Path) -> bool:
            moving_back = source == out / "crossings.csv" and (target.parent / MANIFEST).exists()
            return into_results(source, target) or moving_back

        fail_replace(monkeypatch, errno.EIO, when)
        with pytest.raises(OutputError, match="it is unchanged") as caught:
            folder.write(
                {"crossings.csv": text("new\n"), "results.csv": text("new\n")}, manifest={}
            )
        monkeypatch.undo()
    assert snapshot(out) == before
    kept = caught.value.results
    assert kept is not None
    assert kept.parent == private_tempdir
    assert (kept / "crossings.csv").read_text() == "new\n"


def test_a_lost_backup_is_kept_and_named(parent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder:
        folder.write({"crossings.csv": text("old\n"), "results.csv": text("old\n")}, manifest={})
    with claim_out_folder(out) as folder:
        into_results = into(out / "results.csv")

        def when(source: Path, target: Path) -> bool:
            from_backup = (
                source.parent.name.startswith(".counterflow-staging")
                and not (source.parent / MANIFEST).exists()
            )  # the backup folder holds no manifest, the staging folder does
            restoring = from_backup and target == out / "crossings.csv"
            return into_results(source, target) or restoring

        fail_replace(monkeypatch, errno.EIO, when)
        with pytest.raises(OutputError, match="may hold a mix") as caught:
            folder.write(
                {"crossings.csv": text("new\n"), "results.csv": text("new\n")}, manifest={}
            )
        monkeypatch.undo()
    previous = [p for p in out.iterdir() if p.name.startswith("counterflow-previous-")]
    assert len(previous) == 1
    assert str(previous[0]) in str(caught.value)
    assert (previous[0] / "crossings.csv").read_text() == "old\n"
    kept = caught.value.results
    assert kept is not None
    assert snapshot(kept).keys() == {"crossings.csv", "results.csv", MANIFEST}


@pytest.mark.parametrize("exists", [False, True])
def test_disk_full_while_writing_saves_the_results_in_a_temporary_folder(
    parent: Path, private_tempdir: Path, exists: bool
) -> None:
    out = parent / "out"
    if exists:
        with claim_out_folder(out) as folder:
            folder.write({"results.csv": text("old\n")}, manifest={})
    before = snapshot(out) if exists else {}
    calls = []

    def full_once(path: Path) -> None:
        calls.append(path)
        if len(calls) == 1:
            path.write_text("partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        path.write_text("regions\n")

    with claim_out_folder(out) as folder, pytest.raises(OutputError) as caught:
        folder.write({"regions.csv": full_once, "results.csv": text("new\n")}, manifest={})
    error = caught.value
    assert error.errno == errno.ENOSPC
    assert "No space left on device" in str(error)
    assert error.results is not None
    assert error.results.parent == private_tempdir
    assert error.results.name.startswith("counterflow-results-")
    assert str(error).endswith(f"the results are in {error.results}")
    assert snapshot(error.results) == {
        "regions.csv": b"regions\n",
        "results.csv": b"new\n",
        MANIFEST: (error.results / MANIFEST).read_bytes(),
    }
    assert snapshot(out) == before if exists else not out.exists()
    assert sorted(p.name for p in parent.iterdir()) == (["out"] if exists else [])


def test_disk_full_everywhere_says_nothing_was_saved(parent: Path, private_tempdir: Path) -> None:
    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    out = parent / "out"
    with (
        claim_out_folder(out) as folder,
        pytest.raises(OutputError, match=r"nothing was saved .*failed too: No space left"),
    ):
        folder.write({"results.csv": full}, manifest={})
    assert list(parent.iterdir()) == []
    assert list(private_tempdir.iterdir()) == []


def test_an_interrupt_while_writing_leaves_nothing(parent: Path) -> None:
    def interrupted(path: Path) -> None:
        path.write_text("partial")
        raise KeyboardInterrupt

    out = parent / "out"
    with pytest.raises(KeyboardInterrupt), claim_out_folder(out) as folder:
        folder.write({"results.csv": text("r"), "report.html": interrupted}, manifest={})
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["../results.csv", "/results.csv", ".results.csv", "notes.txt", "tables/a/b.csv", MANIFEST],
)
def test_bad_names_are_refused_before_writing(parent: Path, name: str) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder, pytest.raises(ValueError, match="cannot write"):
        folder.write({name: text("x")}, manifest={})
    assert list(parent.iterdir()) == []


def test_reserved_manifest_keys_and_writes_after_the_claim_are_refused(parent: Path) -> None:
    out = parent / "out"
    with claim_out_folder(out) as folder, pytest.raises(ValueError, match="written_by"):
        folder.write({"results.csv": text("x")}, manifest={"written_by": "me"})
    with pytest.raises(RuntimeError, match="active claim"):
        folder.write({"results.csv": text("x")}, manifest={})
    assert list(parent.iterdir()) == []


def test_output_error_is_one_line_with_the_errno() -> None:
    cause = OSError(errno.ENOSPC, "No space left on device")
    error = OutputError("could not write; they are in /tmp/x", results=Path("/tmp/x"), cause=cause)
    assert str(error) == "could not write; they are in /tmp/x"
    assert error.errno == errno.ENOSPC


# --- CSV ------------------------------------------------------------------------------------


def test_csv_quotes_labels_so_they_read_back_the_same() -> None:
    labels = ['say "hi", then\nleave', "plain", "comma, only", "carriage\rreturn", ""]
    frame = pd.DataFrame({"label": labels, "value": [1.5, -2.0, 0.1 + 0.2, np.nan, 4.0]})
    csv_text = to_csv_text(frame)
    assert csv_text.splitlines()[0] == "label,value"
    assert '"say ""hi"", then\nleave",1.5\n' in csv_text
    assert '"carriage\rreturn"' in csv_text
    # Read as text, then parse with Python's exact float(): pandas before 3.0 parses floats
    # with a fast routine that can be one unit in the last place off.
    back = pd.read_csv(io.StringIO(csv_text), keep_default_na=False, dtype=str)
    assert back["label"].tolist() == labels
    values = [float(text) if text else np.nan for text in back["value"]]
    assert values[:3] == [1.5, -2.0, 0.1 + 0.2]
    assert np.isnan(values[3])


def test_csv_neutralises_formulas_in_text_but_not_numbers() -> None:
    frame = pd.DataFrame(
        {
            "label": ['=HYPERLINK("http://x","y")', "+1", "-x", "@SUM(A1)", "\tx", "ok-then"],
            "number": [-1, -2, 3, -4, 5, -6],
            "share": [-0.5, 1.0, -2.5, 0.0, 1e-7, -3.0],
        }
    )
    csv_text = to_csv_text(frame, float_format="%.3g")
    back = pd.read_csv(io.StringIO(csv_text))
    assert back["label"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "ok-then",
    ]
    assert back["number"].tolist() == [-1, -2, 3, -4, 5, -6]
    assert back["share"].tolist() == [-0.5, 1.0, -2.5, 0.0, 1e-7, -3.0]
    assert csv_text.splitlines()[1] == '"\'=HYPERLINK(""http://x"",""y"")",-1,-0.5'


def test_csv_joins_lists_and_leaves_missing_cells_empty() -> None:
    frame = pd.DataFrame(
        {
            "missing": [["prohibited", "contested"], None, [], ("-a", "b")],
            "mixed": ["-text", -1, None, 2.5],
            "flag": [True, False, True, False],
        }
    )
    lines = to_csv_text(frame).splitlines()
    assert lines == [
        "missing,mixed,flag",
        "prohibited;contested,'-text,True",
        ",-1,False",
        ",,True",
        "'-a;b,2.5,False",
    ]
