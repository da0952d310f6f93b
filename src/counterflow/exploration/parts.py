"""An ensemble's folder while it runs: part files, the running manifest and ``--resume``.

An ensemble writes each finished chunk of experiments as its own Parquet file,
``parts/part-NNNNN.parquet``: first ``part-NNNNN.parquet.tmp``, then :func:`os.replace`, so a
part is either whole or absent. Chunk ``k`` always holds the same experiments (the groups
``k * groups_per_part`` to ``(k + 1) * groups_per_part - 1``, see
:mod:`counterflow.exploration.ensemble`), so a part's presence alone says which experiments are
done.

While it runs, the folder's ``manifest.json`` (a counterflow manifest, see
:mod:`counterflow.outfolder`) says ``"state": "running"`` and records the ensemble's hash: a
SHA-256 of the scenario (after the command line's overrides), the sampler, its options, the
seed and the number of futures asked for. ``--resume`` continues only an ensemble of the same
hash; at the end :meth:`counterflow.outfolder.OutFolder.write` replaces the manifest with the
finished one and the parts are removed (``experiments.parquet`` holds every row).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from counterflow.errors import InputError
from counterflow.exploration.samplers import Futures
from counterflow.outfolder import MANIFEST, read_manifest
from counterflow.scenario import Scenario

__all__ = [
    "KIND",
    "PARTS",
    "RUNNING",
    "Schema",
    "ensemble_hash",
    "experiment_schema",
    "finished_parts",
    "read_parts",
    "remove_parts",
    "start_folder",
    "write_part",
]

PARTS = "parts"
RUNNING = "running"
KIND = "counterflow explore"
_IDS = ("experiment_id", "strategy", "future_id", "replication", "seed")
_PART = re.compile(r"part-(\d{5,})\.parquet")


def ensemble_hash(scenario: Scenario, futures: Futures) -> str:
    """SHA-256 of what decides an ensemble's experiments (module docstring)."""
    document = {
        "scenario": scenario.model_dump(mode="json"),
        "sampler": futures.sampler,
        "requested": futures.requested,
        "n": futures.n,
        "seed": futures.seed,
        "second_order": futures.second_order,
        "ranges": [list(r) for r in futures.ranges],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Schema:
    """The columns of ``experiments.parquet`` and of every part, in order, with their types."""

    uncertainties: tuple[str, ...]
    outcomes: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """Every column, in order."""
        return [*_IDS, *self.uncertainties, *self.outcomes, "error"]

    def typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s columns in order: integer ids, float values, text (or None) errors."""
        typed = frame.reindex(columns=self.names)
        for name in _IDS:
            typed[name] = typed[name].astype(str if name == "strategy" else np.int64)
        for name in (*self.uncertainties, *self.outcomes):
            typed[name] = typed[name].astype(np.float64)
        typed["error"] = typed["error"].astype(object).where(typed["error"].notna(), None)
        return typed.reset_index(drop=True)

    def empty(self) -> pd.DataFrame:
        """A table with no experiment."""
        return self.typed(pd.DataFrame(columns=self.names))


def experiment_schema(uncertainty_columns: Sequence[str], outcomes: Sequence[str]) -> Schema:
    """The columns of ``experiments.parquet`` and of every part (:class:`Schema`)."""
    return Schema(tuple(uncertainty_columns), tuple(outcomes))


def part_path(folder: Path, index: int) -> Path:
    """``parts/part-NNNNN.parquet`` of chunk ``index``."""
    return folder / PARTS / f"part-{index:05d}.parquet"


def write_part(folder: Path, index: int, frame: pd.DataFrame, schema: Schema) -> None:
    """Write chunk ``index`` as ``.tmp`` and move it into place (whole or absent)."""
    target = part_path(folder, index)
    temporary = target.with_name(target.name + ".tmp")
    try:
        schema.typed(frame).to_parquet(temporary, index=False, compression="zstd")
        os.replace(temporary, target)  # noqa: PTH105 (the issue names os.replace)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def finished_parts(folder: Path) -> set[int]:
    """The chunks whose part file is in place."""
    parts = folder / PARTS
    if not parts.is_dir():
        return set()
    found = (_PART.fullmatch(path.name) for path in parts.iterdir())
    return {int(match[1]) for match in found if match is not None}


def read_parts(folder: Path, schema: Schema) -> pd.DataFrame:
    """Every part, in chunk order, as one table (rows by ``experiment_id``)."""
    paths = [part_path(folder, index) for index in sorted(finished_parts(folder))]
    if not paths:
        return schema.empty()
    frame = pd.concat([pd.read_parquet(path) for path in paths], ignore_index=True)
    return schema.typed(frame.sort_values("experiment_id", kind="stable"))


def remove_parts(folder: Path) -> None:
    """Remove the parts folder (once ``experiments.parquet`` holds its rows)."""
    shutil.rmtree(folder / PARTS, ignore_errors=True)


def start_folder(
    folder: Path, shown: Path, *, digest: str, resume: bool, record: Mapping[str, Any]
) -> tuple[set[int], int]:
    """Prepare a claimed folder for running; return the chunks done and groups per part.

    A new ensemble needs a folder without an unfinished ensemble or a foreign ``parts``
    folder; it gets an empty ``parts/`` and the running manifest. A resumed one needs the
    running manifest of the same hash; leftover ``.tmp`` parts are removed.

    Raises:
        InputError: (key ``--resume``) the folder to resume is not an unfinished ensemble or
            holds another scenario's ensemble; (key ``--out``) a new ensemble's folder holds
            an unfinished one or a ``parts`` folder counterflow did not write.
    """
    manifest = read_manifest(folder) if folder.is_dir() else None
    running = manifest is not None and manifest.get("state") == RUNNING
    if resume:
        _check_resumable(shown, manifest, digest)
        for leftover in (folder / PARTS).glob("*.tmp"):
            leftover.unlink(missing_ok=True)
        groups = manifest.get("groups_per_part") if manifest is not None else None
        return finished_parts(folder), groups if isinstance(groups, int) else 1
    if running:
        raise InputError(
            f"holds an unfinished ensemble; continue it with --resume {shown} or choose "
            "another --out",
            path=shown,
        )
    if (folder / PARTS).exists():
        raise InputError(
            f"holds a {PARTS} folder that counterflow did not write; choose another --out",
            path=shown,
        )
    (folder / PARTS).mkdir(parents=True)
    files = [] if manifest is None else manifest.get("files", [])
    _write_manifest(
        folder, {**record, "kind": KIND, "state": RUNNING, "ensemble_hash": digest, "files": files}
    )
    return set(), int(record["groups_per_part"])


def _check_resumable(shown: Path, manifest: Mapping[str, Any] | None, digest: str) -> None:
    if manifest is None or manifest.get("kind") != KIND:
        raise InputError(
            "is not an ensemble folder (no counterflow explore manifest.json); give the --out "
            "folder of an interrupted counterflow explore",
            key="--resume",
            path=shown,
        )
    if manifest.get("state") != RUNNING or not isinstance(manifest.get("groups_per_part"), int):
        raise InputError(
            "holds a finished ensemble; there is nothing to resume", key="--resume", path=shown
        )
    if manifest.get("ensemble_hash") != digest:
        raise InputError(
            "holds an ensemble of another scenario, sampler, seed or number of futures; "
            "resume it with the options it was started with, or start a new --out",
            key="--resume",
            path=shown,
        )


def _write_manifest(folder: Path, document: Mapping[str, Any]) -> None:
    """The running manifest, written whole (``.tmp``, then :func:`os.replace`)."""
    target = folder / MANIFEST
    temporary = folder / f"{MANIFEST}.tmp"
    text = json.dumps({**document, "written_by": "counterflow"}, indent=2, ensure_ascii=False)
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(target)
