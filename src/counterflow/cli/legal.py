"""``counterflow legal``: verdicts with their reasoning and citations."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from counterflow.cli.app import app, stdout_console, warn_ignored_levers
from counterflow.cli.text import safe
from counterflow.data import load_dataset
from counterflow.errors import InputError
from counterflow.legal import NOT_ADVICE, load_law
from counterflow.model import assess_strategy
from counterflow.scenario import load_scenario


@app.command()
def legal(
    strategy_id: Annotated[
        str | None,
        typer.Argument(metavar="[STRATEGY]", help="Strategy id (default: every strategy)."),
    ] = None,
    scenario_file: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario file (default: built-in mexico-2025)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date YYYY-MM-DD (default: the scenario's start_date)."),
    ] = None,
    law: Annotated[
        Path | None, typer.Option("--law", help="Folder of rules files (default: built-in).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON list.")] = False,
) -> None:
    """Assess strategies under international, US and Mexican law, with reasons and sources."""
    scenario = load_scenario(scenario_file)
    warn_ignored_levers(scenario)
    day = scenario.start_date
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(
                f"{as_of!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-01",
                key="--as-of",
            ) from None
    if strategy_id is not None and strategy_id not in scenario.strategy_ids:
        raise InputError(
            f"unknown strategy {strategy_id!r}; use one of {', '.join(scenario.strategy_ids)}",
            key="STRATEGY",
        )
    book = load_law(law)
    dataset = load_dataset(scenario.network)
    chosen = [s for s in scenario.strategy if strategy_id in (None, s.id)]
    assessments = [(s, assess_strategy(dataset, s, day, book)) for s in chosen]
    if as_json:
        items = [
            {
                "strategy": s.id,
                "as_of": a.as_of.isoformat(),
                **a.verdicts,
                "trace": [step.as_dict() for step in a.trace],
                "note": NOT_ADVICE,
            }
            for s, a in assessments
        ]
        sys.stdout.write(json.dumps(items, ensure_ascii=False) + "\n")
        return
    console = Console(highlight=False, width=max(stdout_console().width, 120))
    for strategy, assessment in assessments:
        verdicts = ", ".join(f"{f}: {v}" for f, v in assessment.verdicts.items())
        console.print(f"[bold]{safe(strategy.id)}[/bold] as of {day}: {safe(verdicts)}")
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for title in ("framework", "rule", "finding", "citation"):
            table.add_column(title, overflow="fold")
        for step in assessment.trace:
            marker = {"permits": "+", "contests": "?", "prohibits": "x", "assumes": "a"}.get(
                step.effect, " "
            )
            table.add_row(
                safe(step.framework),
                f"{marker} {safe(step.rule)}",
                safe(step.finding),
                safe(step.citation),
            )
        console.print(table)
        console.print()
    console.print(
        f"{NOT_ADVICE} Verdicts are the mainstream reading; contested claims are shown as "
        "asserted. + permits, ? contested, x prohibits, a assumption of the scenario (not a "
        "finding); 'not engaged': no rule of the framework applies."
    )
