"""Writing a results folder safely: checked before the run, locked during it, replaced whole.

A run first claims its output folder with :func:`claim_out_folder`. The claim fails fast, before
any model run, when the folder cannot be written, holds results counterflow did not write, or
another run is writing into it. At the end :meth:`OutFolder.write` writes every file into a
staging folder on the same file system as the output folder and moves them into place, so a
reader never sees half of a run. A :data:`MANIFEST` lists what counterflow wrote; the next run
deletes only files that manifest lists, never a file of the user's.

When writing or moving fails (disk full, read-only file system, a cross-device rename), the
computed results are kept, in the staging folder or in a fresh temporary folder, and
:class:`OutputError` says where.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import pandas as pd

from counterflow.errors import InputError, OutputError

__all__ = [
    "LOCK_NAME",
    "MANIFEST",
    "RESULT_NAMES",
    "OutFolder",
    "OutputError",
    "check_out_folder",
    "claim_out_folder",
    "csv_line",
    "read_manifest",
    "to_csv_text",
]

MANIFEST = "manifest.json"
"""Written by counterflow into every results folder; lists the files it wrote."""

RESULT_NAMES: tuple[str, ...] = (
    "results.csv",
    "results.json",
    "scenario.json",
    "crossings.csv",
    "regions.csv",
    "report.html",
    "tables",
)
"""Top-level names (files or folders) counterflow writes into a results folder."""

LOCK_NAME = ".counterflow-lock"
"""The lock file inside an existing output folder (beside it: ``.NAME.counterflow-lock``)."""

WRITTEN_BY = "counterflow"
_STAGING = "counterflow-staging"
_UNREADABLE_LOCK_GRACE_S = 10.0  # a lock without a pid yet is being written, for this long
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_out_folder(
    out: str | Path, *, force: bool = False, names: Collection[str] = RESULT_NAMES
) -> None:
    """Check that a run may write its results into ``out``, before any model run.

    Args:
        out: The results folder; it may exist or not (its parent must).
        force: Replace results that counterflow did not write (only the ``names`` it writes).
        names: The top-level files and folders the run may write.

    Raises:
        InputError: ``out`` is a file or a broken link; its parent does not exist; the folder
            that would receive the results is not writable (tested by creating a folder
            there); another counterflow run is writing into ``out``; or, without ``force``,
            ``out`` holds any of ``names`` (or a ``manifest.json``) that no counterflow
            manifest lists.
    """
    shown = Path(out)
    absolute = _absolute(out)
    if absolute.is_symlink() and not absolute.exists():
        raise InputError("is a broken symbolic link; remove it or choose another --out", path=shown)
    if absolute.exists() and not absolute.is_dir():
        raise InputError("exists and is not a folder; choose another --out", path=shown)
    parent = absolute.parent
    if not parent.is_dir():
        problem = "is not a folder" if parent.exists() else "does not exist"
        raise InputError(
            f"the parent folder {problem}; create it first or choose another --out", path=parent
        )
    for lock in _lock_paths(absolute):
        holder = _read_lock(lock)
        if holder is not None and holder.live:
            raise _refusal(holder, lock, shown)
    base, stem = _staging_place(absolute)
    try:
        _make_staging(base, stem).rmdir()
    except OSError as error:
        raise InputError(
            f"cannot write here ({_describe(error)}); make it writable or choose another --out",
            path=base,
        ) from None
    if absolute.is_dir() and not force:
        foreign = _foreign_names(absolute, names)
        if foreign:
            raise InputError(
                f"holds results not written by counterflow ({', '.join(foreign)}) and no "
                f"counterflow {MANIFEST}; choose another --out, or pass --force to replace them",
                path=shown,
            )


@contextmanager
def claim_out_folder(
    out: str | Path, *, force: bool = False, names: Collection[str] = RESULT_NAMES
) -> Iterator[OutFolder]:
    """Check ``out`` (see :func:`check_out_folder`) and hold it for the whole run.

    The lock is a file created with ``O_CREAT | O_EXCL`` holding the pid, the host name and
    the process start time: ``LOCK_NAME`` inside ``out`` when it exists, else
    ``.NAME.counterflow-lock`` beside it. A lock whose process has ended is stale and taken
    over. Staging folders left by killed runs (``.counterflow-staging-PID...`` inside ``out``,
    ``.NAME.counterflow-staging-PID...`` beside it, with a dead PID) are removed; nothing
    else is. The lock is released on exit, also on an exception or ``KeyboardInterrupt``.

    Args:
        out: The results folder.
        force: Replace results that counterflow did not write (only the ``names`` it writes).
        names: The top-level files and folders the run may write.

    Yields:
        The claimed folder; call :meth:`OutFolder.write` once the results are computed.

    Raises:
        InputError: As :func:`check_out_folder`; the lock message names the other run's pid.
    """
    with OutFolder(out, force=force, names=names) as folder:
        yield folder


class OutFolder:
    """A results folder held by one run; use it through :func:`claim_out_folder`.

    Args:
        out: The results folder.
        force: Replace results that counterflow did not write (only the ``names`` it writes).
        names: The top-level files and folders the run may write.
    """

    def __init__(
        self, out: str | Path, *, force: bool = False, names: Collection[str] = RESULT_NAMES
    ) -> None:
        self.path = Path(out)
        self.force = force
        self.names = frozenset(names)
        self._absolute = _absolute(out)
        self._lock: Path | None = None

    def __enter__(self) -> Self:
        check_out_folder(self.path, force=self.force, names=self.names)
        self._lock = _take_lock(self._absolute, self.path)
        try:
            _remove_stale_staging(self._absolute)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            with suppress(OSError):
                self._lock.unlink(missing_ok=True)
            self._lock = None

    def write(
        self, files: Mapping[str, Callable[[Path], None]], *, manifest: Mapping[str, object]
    ) -> None:
        """Write the results and move them into place together.

        Every file is written into a staging folder on the same file system as the output
        folder (inside it when it exists, since it may be a mount point; else beside it),
        with :data:`MANIFEST`: ``manifest`` plus ``written_by`` and the sorted ``files``.
        A new folder is the staging folder renamed. Into an existing folder each file is
        moved with :func:`os.replace`; files the old manifest lists that this run did not
        write are removed, and so are subfolders left empty by that. A file of the user's
        that no manifest lists is never touched (with ``force``, one of the same name as a
        file written is replaced). The new manifest moves last; if a move fails, the moves
        before it are undone.

        Args:
            files: Relative name (``results.csv``, ``tables/drugs.parquet``: at most one
                subfolder, top-level name among the claimed ``names``) to a function that
                writes that file at the path it is given. Functions may be called twice:
                again into a temporary folder when the first attempt failed.
            manifest: What to record with the files (scenario, seed, version, ...); JSON.

        Raises:
            OutputError: An operating-system error while writing or moving. The results
                were kept: in the staging folder if it was complete, else written again into
                ``tempfile.mkdtemp(prefix="counterflow-results-")``; the message says where.
            ValueError: A bad file name, a reserved or non-JSON manifest entry, or a writer
                that did not create its file (programming errors; nothing is written).
            RuntimeError: The claim has ended.
        """
        if self._lock is None:
            raise RuntimeError("write() needs an active claim_out_folder()")
        names = self._checked_names(files)
        manifest_text = _manifest_text(manifest, names)
        out = self._absolute
        exists = out.is_dir()
        old = read_manifest(out) if exists else None
        base, stem = _staging_place(out)
        try:
            staging = _make_staging(base, stem)
        except OSError as error:
            raise self._save_elsewhere(files, manifest_text, error) from error
        try:
            _write_set(staging, files, manifest_text)
        except OSError as error:
            _remove_tree(staging)
            raise self._save_elsewhere(files, manifest_text, error) from error
        except BaseException:
            _remove_tree(staging)
            raise
        if not exists:
            try:
                staging.replace(out)
            except OSError as error:
                kept = _keep(staging, "results")
                raise OutputError(
                    f"could not move the results into {self.path} ({_describe(error)}); "
                    f"the results are in {kept}",
                    results=kept,
                    cause=error,
                ) from error
            except BaseException:
                _remove_tree(staging)
                raise
            return
        clashes = [] if self.force else _clashes(out, [*names, MANIFEST], old)
        if clashes:
            kept = _keep(staging, "results")
            raise OutputError(
                f"{self.path} now holds {', '.join(clashes)} not written by counterflow, so "
                f"nothing was replaced (pass --force to replace them); the results are in {kept}",
                results=kept,
            )
        self._move_into(staging, files, manifest_text=manifest_text, old=old)

    def _checked_names(self, files: Mapping[str, object]) -> list[str]:
        names = sorted(files)
        single = {name for name in names if "/" not in name}
        for name in names:
            parts = name.split("/")
            if (
                not _is_safe_name(name)
                or parts[0] not in self.names
                or (len(parts) == 2 and parts[0] in single)
            ):
                raise ValueError(
                    f"cannot write {name!r}: give a relative name with at most one subfolder, "
                    f"not {MANIFEST}, whose first part is one of {sorted(self.names)} "
                    "(claim_out_folder(names=...)) and not also a file"
                )
        return names

    def _move_into(
        self,
        staging: Path,
        files: Mapping[str, Callable[[Path], None]],
        *,
        manifest_text: str,
        old: Mapping[str, object] | None,
    ) -> None:
        """Move the staged files into the existing folder; undo the moves if one fails."""
        out = self._absolute
        names = sorted(files)
        stale = [name for name in _listed_files(old) if name not in set(names)]
        backup: Path | None = None
        moved: list[str] = []
        saved: list[str] = []
        made: list[Path] = []
        try:
            backup = _make_staging(out, ".")
            for name in names:
                target = out / name
                if not target.parent.is_dir():
                    target.parent.mkdir()
                    made.append(target.parent)
                if _lexists(target):
                    _move(target, backup / name)
                    saved.append(name)
                (staging / name).replace(target)
                moved.append(name)
            for name in stale:
                target = out / name
                if "/" in name and (out / name.split("/")[0]).is_symlink():
                    continue  # never follow a link out of the folder
                if target.is_file() or target.is_symlink():
                    _move(target, backup / name)
                    saved.append(name)
            (staging / MANIFEST).replace(out / MANIFEST)
        except BaseException as error:
            unchanged, returned = _roll_back(
                out, staging, backup, moved=moved, saved=saved, made=made
            )
            previous = None
            if backup is not None:
                if returned:
                    _remove_tree(backup)
                else:
                    previous = _keep(backup, "previous")
            if not isinstance(error, OSError):
                _remove_tree(staging)
                raise
            state = "it is unchanged"
            if not unchanged:
                state = f"{self.path} may hold a mix of old and new files"
                if previous is not None:
                    state += f" (the files it replaced are in {previous})"
            if all((staging / name).is_file() for name in [*names, MANIFEST]):
                kept: Path | None = _keep(staging, "results")
                where = f"the results are in {kept}"
            else:
                _remove_tree(staging)
                kept, where = _write_elsewhere(files, manifest_text)
            raise OutputError(
                f"could not move the results into {self.path} ({_describe(error)}); "
                f"{state}; {where}",
                results=kept,
                cause=error,
            ) from error
        for folder in sorted({name.split("/")[0] for name in stale if "/" in name}):
            if (out / folder).is_dir() and not (out / folder).is_symlink():
                with suppress(OSError):
                    (out / folder).rmdir()  # only when empty
        _remove_tree(backup)
        _remove_tree(staging)

    def _save_elsewhere(
        self,
        files: Mapping[str, Callable[[Path], None]],
        manifest_text: str,
        error: OSError,
    ) -> OutputError:
        """Write the whole set into a new temporary folder; the error says where."""
        kept, where = _write_elsewhere(files, manifest_text)
        return OutputError(
            f"could not write the results into {self.path} ({_describe(error)}); {where}",
            results=kept,
            cause=error,
        )


def _write_elsewhere(
    files: Mapping[str, Callable[[Path], None]], manifest_text: str
) -> tuple[Path | None, str]:
    """Write the whole set into a new temporary folder; return it and where the results are."""
    try:
        fallback = Path(tempfile.mkdtemp(prefix="counterflow-results-"))
    except OSError as error:
        return None, f"nothing was saved (a temporary folder failed too: {_describe(error)})"
    try:
        _write_set(fallback, files, manifest_text)
    except OSError as error:
        _remove_tree(fallback)
        return None, f"nothing was saved ({fallback} failed too: {_describe(error)})"
    return fallback, f"the results are in {fallback}"


def read_manifest(out: str | Path) -> dict[str, object] | None:
    """Return the counterflow manifest of ``out``, or ``None`` if it has none (or not ours).

    A manifest counts when it is a JSON object with ``"written_by": "counterflow"`` and a list
    of file names under ``"files"``.
    """
    try:
        data: object = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != WRITTEN_BY:
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    return data


def to_csv_text(frame: pd.DataFrame, *, float_format: str | None = None) -> str:
    r"""Return ``frame`` as CSV text that spreadsheets and CSV readers take safely.

    Fields with a comma, a double quote, a line feed or a carriage return are quoted, quotes
    doubled (RFC 4180); lines end with ``\n``. (The quoting is done here because Python 3.11's
    :mod:`csv` leaves a lone carriage return unquoted when lines end with ``\n``.) Text cells
    and column names that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    get a leading apostrophe, so that a spreadsheet shows them rather than running them as
    formulas (OWASP, "CSV Injection"); numbers are never changed. Lists and tuples in cells
    are joined with ``;``; missing values (``None``, ``NaN``, ``NA``) are empty fields.

    Args:
        frame: The table; the index is not written.
        float_format: A ``%`` format for floats, such as ``"%.10g"``; default ``repr``.
    """
    columns = [[_csv_field(_text_cell(name, float_format)) for name in frame.columns]]
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if _is_text(series):
            columns.append(_text_column(series.astype(object), float_format))
        elif pd.api.types.is_float_dtype(series.dtype):
            columns.append([_float_cell(value, float_format) for value in series.tolist()])
        else:
            columns.append([_csv_field(_plain_cell(value)) for value in series.astype(object)])
    header = columns.pop(0)
    lines = [",".join(header), *(",".join(row) for row in zip(*columns, strict=True))]
    return "\n".join(lines) + "\n"


def csv_line(values: Iterable[object], *, float_format: str | None = None) -> str:
    """One CSV line of these values, quoted and neutralised as :func:`to_csv_text` does."""
    return ",".join(_csv_field(_text_cell(value, float_format)) for value in values) + "\n"


def _text_column(values: pd.Series, float_format: str | None) -> list[str]:
    """The CSV fields of a text column, each distinct value rendered once."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): render each
        return [_csv_field(_text_cell(value, float_format)) for value in values]
    rendered = [_csv_field(_text_cell(value, float_format)) for value in uniques]
    rendered.append("")  # code -1: a missing value
    return [rendered[code] for code in codes.tolist()]


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return bool(
        dtype == np.dtype(object)
        or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _float_cell(value: object, float_format: str | None) -> str:
    if _is_missing(value):
        return ""
    number = float(value)  # type: ignore[arg-type]  # a float column holds floats or NA
    return float_format % number if float_format is not None else repr(number)


def _plain_cell(value: object) -> str:
    return "" if _is_missing(value) else str(value)


def _text_cell(value: object, float_format: str | None) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, float | np.floating):
        return _float_cell(value, float_format)
    if isinstance(value, list | tuple):
        value = ";".join("" if _is_missing(item) else str(item) for item in value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    return str(value)


def _csv_field(text: str) -> str:
    if any(character in text for character in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


# --- locks and staging folders ------------------------------------------------------------


@dataclass(frozen=True)
class _Holder:
    """Who holds a lock: the pid (None if unreadable), the host if not this one, alive?"""

    pid: int | None
    host: str | None
    live: bool


def _absolute(out: str | Path) -> Path:
    # resolve() would follow a link and so change the name the user gave
    return Path(os.path.abspath(out))  # noqa: PTH100


def _staging_place(absolute: Path) -> tuple[Path, str]:
    """Where staging folders go (inside ``out`` if it exists) and their name prefix."""
    if absolute.is_dir():
        return absolute, "."
    return absolute.parent, f".{absolute.name}."


def _lock_paths(absolute: Path) -> list[Path]:
    """The lock inside ``out`` (if a folder), then the one beside it."""
    inside = [absolute / LOCK_NAME] if absolute.is_dir() else []
    return [*inside, absolute.parent / f".{absolute.name}.counterflow-lock"]


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _owner_tag() -> str:
    """``PID`` or ``PID.START``: names this process even where pids are reused."""
    pid = os.getpid()
    start = _process_start(pid)
    return str(pid) if start is None else f"{pid}.{start}"


def _process_alive(pid: int, start: str | None) -> bool:
    """Whether process ``pid`` (started at ``start``, if known) still runs on this host."""
    if pid <= 0:
        return False
    if pid != os.getpid():
        if os.name == "nt":
            return True  # os.kill(pid, 0) would interrupt it there; assume alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass  # it exists but belongs to another user
    if start is None:
        return True
    current = _process_start(pid)
    return current is None or current == start


def _read_lock(lock: Path) -> _Holder | None:
    """Read a lock file; None if there is none."""
    try:
        text = lock.read_text(encoding="utf-8")
        age_s = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return None
    except OSError:
        return _Holder(pid=None, host=None, live=True)
    lines = [*text.splitlines(), "", "", ""]
    try:
        pid = int(lines[0])
    except ValueError:
        return _Holder(pid=None, host=None, live=age_s < _UNREADABLE_LOCK_GRACE_S)
    host, start = lines[1] or None, lines[2] or None
    if host is not None and host != socket.gethostname():
        return _Holder(pid=pid, host=host, live=True)  # its pids are not ours to check
    return _Holder(pid=pid, host=None, live=_process_alive(pid, start))


def _refusal(holder: _Holder, lock: Path, shown: Path) -> InputError:
    if holder.pid is None:
        who = "another counterflow run"
    elif holder.host is None:
        who = f"another counterflow run (pid {holder.pid})"
    else:
        who = f"another counterflow run (pid {holder.pid} on {holder.host})"
    advice = "wait for it or choose another --out"
    if holder.host is not None or holder.pid is None:
        advice = f"wait for it, choose another --out, or delete {lock} if that run has ended"
    return InputError(f"{who} is writing to this folder; {advice}", path=shown)


def _take_lock(absolute: Path, shown: Path) -> Path:
    """Create the lock file of ``out``, taking over a stale one; return its path."""
    lock, *others = _lock_paths(absolute)  # inside if out is a folder, else beside it
    for other in others:  # the lock beside a folder that a running first write created
        holder = _read_lock(other)
        if holder is not None and holder.live:
            raise _refusal(holder, other, shown)
        if holder is not None:
            with suppress(OSError):
                other.unlink()
    text = f"{os.getpid()}\n{socket.gethostname()}\n{_process_start(os.getpid()) or ''}\n"
    for _attempt in range(3):
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_lock(lock)
            if holder is not None and holder.live:
                raise _refusal(holder, lock, shown) from None
            with suppress(FileNotFoundError):
                lock.unlink()  # stale: its run has ended
            continue
        except OSError as error:
            raise InputError(
                f"cannot create the lock file ({_describe(error)}); choose another --out",
                path=lock,
            ) from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as error:
            lock.unlink(missing_ok=True)
            raise InputError(
                f"cannot write the lock file ({_describe(error)}); choose another --out",
                path=lock,
            ) from None
        return lock
    raise _refusal(_Holder(pid=None, host=None, live=True), lock, shown)


def _make_staging(base: Path, stem: str) -> Path:
    """Create an empty staging folder in ``base`` named for this process (mode from umask)."""
    tag = _owner_tag()
    for _attempt in range(100):
        folder = base / f"{stem}{_STAGING}-{tag}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(mode=0o777)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(errno.EEXIST, "no free staging folder name", str(base))


def _remove_stale_staging(absolute: Path) -> None:
    """Remove staging folders of ``out`` whose process has ended; nothing else."""
    places = [(absolute, ".")] if absolute.is_dir() else []
    places.append((absolute.parent, f".{absolute.name}."))
    for base, stem in places:
        pattern = re.compile(re.escape(stem) + _STAGING + r"-(\d+)(?:\.(\d+))?-[0-9a-f]+")
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            if not _process_alive(int(match[1]), match[2]):
                shutil.rmtree(entry.path, ignore_errors=True)


def _keep(folder: Path, kind: str) -> Path:
    """Rename a staging folder so that no later run removes it; return where it is."""
    kept = folder.with_name(folder.name.lstrip(".").replace(_STAGING, f"counterflow-{kind}", 1))
    try:
        folder.replace(kept)
    except OSError:
        return folder
    return kept


def _remove_tree(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


# --- writing and moving -------------------------------------------------------------------


def _is_safe_name(name: str) -> bool:
    """A relative name with at most one subfolder, no hidden, empty or parent parts."""
    parts = name.split("/")
    return (
        name != MANIFEST
        and 1 <= len(parts) <= 2
        and all(part and not part.startswith(".") and "\\" not in part for part in parts)
    )


def _listed_files(manifest: Mapping[str, object] | None) -> list[str]:
    files = [] if manifest is None else manifest.get("files", [])
    if not isinstance(files, list):
        return []
    return [name for name in files if isinstance(name, str) and _is_safe_name(name)]


def _lexists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _foreign_names(absolute: Path, names: Collection[str]) -> list[str]:
    """Top-level ``names`` (and the manifest) present in ``out`` that no manifest claims."""
    manifest = read_manifest(absolute)
    owned = {name.split("/")[0] for name in _listed_files(manifest)}
    if manifest is not None:
        owned.add(MANIFEST)
    present = [name for name in sorted({*names, MANIFEST}) if _lexists(absolute / name)]
    return [name for name in present if name not in owned]


def _clashes(out: Path, names: list[str], old: Mapping[str, object] | None) -> list[str]:
    """Files this write would replace that no counterflow manifest lists."""
    listed = set(_listed_files(old))
    if old is not None:
        listed.add(MANIFEST)
    return [name for name in names if name not in listed and _lexists(out / name)]


def _manifest_text(manifest: Mapping[str, object], names: list[str]) -> str:
    reserved = sorted({"written_by", "files"} & set(manifest))
    if reserved:
        raise ValueError(f"the manifest keys {reserved} are set by OutFolder.write")
    document = {**manifest, "written_by": WRITTEN_BY, "files": names}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=_json) + "\n"


def _json(value: object) -> object:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _write_set(
    folder: Path, files: Mapping[str, Callable[[Path], None]], manifest_text: str
) -> None:
    """Write every file and the manifest into ``folder``."""
    for name in sorted(files):
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        files[name](path)
        if not path.is_file():
            raise ValueError(f"the writer of {name!r} did not create {path}")
    (folder / MANIFEST).write_text(manifest_text, encoding="utf-8")


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(exist_ok=True)
    source.replace(target)


def _roll_back(
    out: Path,
    staging: Path,
    backup: Path | None,
    *,
    moved: list[str],
    saved: list[str],
    made: list[Path],
) -> tuple[bool, bool]:
    """Undo the moves into ``out``: ``moved`` from staging, ``saved`` into the backup.

    Returns whether ``out`` is as before, and whether every file moved out of it is back.
    """
    stuck = []
    for name in reversed(moved):
        try:
            (out / name).replace(staging / name)
        except OSError:
            stuck.append(name)
    returned = True
    if backup is not None:
        for name in reversed(saved):
            try:
                (backup / name).replace(out / name)  # also over a new file that stuck
            except OSError:
                returned = False
    for folder in reversed(made):
        with suppress(OSError):
            folder.rmdir()
    return returned and set(stuck) <= set(saved), returned


def _describe(error: OSError) -> str:
    """The operating system's words for ``error``, on one line."""
    text = error.strerror or str(error) or type(error).__name__
    return " ".join(text.split())
