"""Reports and tables: outcome rows, crossings, regions, and the self-contained HTML report."""

from counterflow.report.html import build_report
from counterflow.report.results import (
    INTERVAL_OUTCOMES,
    KG_OUTCOMES,
    NOT_COMPUTED,
    REGION_COLUMNS,
    RESULT_COLUMNS,
    crossing_rows,
    region_rows,
    result_rows,
)

__all__ = [
    "INTERVAL_OUTCOMES",
    "KG_OUTCOMES",
    "NOT_COMPUTED",
    "REGION_COLUMNS",
    "RESULT_COLUMNS",
    "build_report",
    "crossing_rows",
    "region_rows",
    "result_rows",
]
