"""Turn runs into the tidy tables of :class:`~counterflow.model.Results` (long format)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from counterflow.model import Context, HorizonVerdicts, RunResult
from counterflow.model.results import CROSSING_COLUMNS, REGION_COLUMNS

__all__ = ["collect_tables"]

Runs = Mapping[str, Sequence[RunResult]]

_DRUG_COLUMNS = (
    "strategy",
    "replication",
    "month",
    "drug",
    "shipped_kg",
    "abstained_kg",
    "seized_kg_mexico",
    "seized_kg_us_ports",
    "delivered_kg",
    "price_border_usd_per_kg",
    "price_retail_usd_per_kg",
)
_REMOVAL_COLUMNS = (
    "strategy",
    "replication",
    "month",
    "organization",
    "root",
    "method",
    "fragmented",
)
_RUN_COLUMNS = (
    "strategy",
    "replication",
    "relative_gap",
    "strikes",
    "civilian_harm",
    "fragmentation_events",
    "paused_months",
    "detainee_transfers",
)
_TRACE_COLUMNS = (
    "strategy",
    "step",
    "framework",
    "rule",
    "version",
    "label",
    "citation",
    "in_force",
    "standing",
    "facts",
    "finding",
    "effect",
)


def _stacked(runs: Runs, table: str, columns: Sequence[str]) -> pd.DataFrame:
    """One table of every run, with ``strategy`` and ``replication`` columns, in run order."""
    frames = [
        getattr(run, table).assign(strategy=strategy, replication=run.replication)
        for strategy, replicas in runs.items()
        for run in replicas
        if not getattr(run, table).empty
    ]
    if not frames:
        return pd.DataFrame(columns=list(columns))
    stacked: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return stacked[list(columns)]


def _cooperation(runs: Runs) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "strategy": strategy,
                "replication": run.replication,
                "month": np.arange(1, run.cooperation.size + 1),
                "cooperation": run.cooperation,
            }
        )
        for strategy, replicas in runs.items()
        for run in replicas
    ]
    return pd.concat(frames, ignore_index=True)


def _removals(runs: Runs) -> pd.DataFrame:
    records = [
        (strategy, run.replication, r.month, r.org, r.root, r.method, r.fragmented)
        for strategy, replicas in runs.items()
        for run in replicas
        for r in run.removals
    ]
    frame = pd.DataFrame.from_records(records, columns=list(_REMOVAL_COLUMNS))
    for column, kind in (("replication", np.int64), ("month", np.int64), ("fragmented", bool)):
        frame[column] = frame[column].astype(kind)
    return frame


def _runs(runs: Runs) -> pd.DataFrame:
    records = [
        (
            strategy,
            run.replication,
            run.relative_gap,
            run.strikes,
            run.civilian_harm,
            run.fragmentation_events,
            run.paused_months,
            run.detainee_transfers,
        )
        for strategy, replicas in runs.items()
        for run in replicas
    ]
    return pd.DataFrame.from_records(records, columns=list(_RUN_COLUMNS))


def _verdicts(verdicts: Mapping[str, HorizonVerdicts]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        (strategy, framework, verdict, found.as_of[framework].isoformat())
        for strategy, found in verdicts.items()
        for framework, verdict in found.verdicts.items()
    ]
    table = pd.DataFrame.from_records(rows, columns=["strategy", "framework", "verdict", "as_of"])
    steps = [
        {"strategy": strategy, "step": i, **step.as_dict()}
        for strategy, found in verdicts.items()
        for i, step in enumerate(found.trace)
    ]
    trace = pd.DataFrame.from_records(steps, columns=list(_TRACE_COLUMNS))
    trace["version"] = trace["version"].astype("Int64")
    return table, trace


def _links(context: Context, runs: Runs) -> pd.DataFrame:
    """Kg per road link in month 1 of replication 0, per strategy (for maps)."""
    network = context.network
    roads = np.flatnonzero(network.kind == "road")
    ids = network.node_table["node_id"].to_numpy()
    graph = network.network
    frames = [
        pd.DataFrame(
            {
                "strategy": strategy,
                "from_node": ids[graph.tail[roads]],
                "to_node": ids[graph.head[roads]],
                "flow_kg": replicas[0].link_kg[roads],
            }
        )
        for strategy, replicas in runs.items()
    ]
    return pd.concat(frames, ignore_index=True)


def collect_tables(
    context: Context, runs: Runs, verdicts: Mapping[str, HorizonVerdicts]
) -> dict[str, pd.DataFrame]:
    """Every table of :data:`counterflow.model.TABLES` from the runs and the verdicts."""
    verdict_table, trace = _verdicts(verdicts)
    return {
        "drugs": _stacked(runs, "by_drug", _DRUG_COLUMNS),
        "crossings": _stacked(runs, "crossings", CROSSING_COLUMNS),
        "regions": _stacked(runs, "regions", REGION_COLUMNS),
        "cooperation": _cooperation(runs),
        "removals": _removals(runs),
        "runs": _runs(runs),
        "verdicts": verdict_table,
        "trace": trace,
        "links": _links(context, runs),
    }
