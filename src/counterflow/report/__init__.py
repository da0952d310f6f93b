"""Reports and tables: outcome rows, crossings, and the self-contained HTML report."""

from counterflow.report.html import build_report
from counterflow.report.results import (
    KG_OUTCOMES,
    NOT_COMPUTED,
    RESULT_COLUMNS,
    crossing_rows,
    result_rows,
)

__all__ = [
    "KG_OUTCOMES",
    "NOT_COMPUTED",
    "RESULT_COLUMNS",
    "build_report",
    "crossing_rows",
    "result_rows",
]
