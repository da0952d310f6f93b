"""Write results with their HTML report into a folder, in one atomic move."""

from __future__ import annotations

from pathlib import Path

from counterflow.data import load_dataset
from counterflow.model import Results
from counterflow.model.results import Writer
from counterflow.report import build_report

__all__ = ["report_files", "save_results"]


def report_files(results: Results) -> dict[str, Writer]:
    """``report.html`` of the results, as a file for :meth:`Results.to_folder`."""
    page = build_report(results, load_dataset(results.scenario.network))

    def write(path: Path) -> None:
        path.write_text(page, encoding="utf-8")

    return {"report.html": write}


def save_results(results: Results, path: str | Path, *, force: bool = False) -> Path:
    """Write the results folder (:meth:`Results.to_folder`) with ``report.html`` in it."""
    return results.to_folder(path, force=force, extra_files=report_files(results))
