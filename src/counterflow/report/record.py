"""The *Assumptions and record* section: what produced the page, so a reader can rerun it.

The parameters that differ from the built-in defaults, every parameter with its source, the
exact scenario, the command that reproduces the run, counterflow's version and the seed. All
of it comes from :class:`~counterflow.model.Results` (the page is rebuilt byte for byte from a
saved folder), so the run's calendar date is not on it: the folder's files carry it.
"""

from __future__ import annotations

import html
import json
from typing import Any

from counterflow.model.results import ENSEMBLE, Results
from counterflow.scenario import load_scenario
from counterflow.scenario.parameters import PARAMETERS

__all__ = ["record"]

_RUN_KEYS = ("months", "replications", "seed")


def _explore_command(results: Results) -> str:
    """``counterflow explore`` with the options that rebuild this ensemble."""
    ensemble = results.ensemble
    options = [
        f"--futures {ensemble.get('futures_requested', ensemble.get('futures'))}",
        f"--sampler {ensemble.get('sampler')}",
        f"--seed {ensemble.get('seed')}",
        f"--months {results.scenario.months}",
        f"--replications {results.scenario.replications}",
    ]
    if ensemble.get("satisfice"):
        options.append(f'--satisfice "{ensemble["satisfice"]}"')
    command = f"counterflow explore SCENARIO.toml {' '.join(options)} --out DIR"
    return (
        "<p>Reproduce it (SCENARIO.toml holding the scenario below, whose parameters include "
        f"the solver's precision): <code>{html.escape(command)}</code></p>"
    )


def _command(results: Results) -> str:
    """``counterflow compare`` with the options that rebuild this run's scenario."""
    if results.kind == ENSEMBLE:
        return _explore_command(results)
    scenario = results.scenario
    builtin = load_scenario(None)
    mine = scenario.model_dump(mode="json", exclude=set(_RUN_KEYS))
    if mine == builtin.model_dump(mode="json", exclude=set(_RUN_KEYS)):
        where = ""
        options = [
            f"--{key} {getattr(scenario, key)}"
            for key in _RUN_KEYS
            if getattr(scenario, key) != getattr(builtin, key)
        ]
    else:
        where = " SCENARIO.toml"
        options = []
    command = f"counterflow compare{where}{''.join(' ' + o for o in options)} --out DIR"
    note = (
        "on the built-in scenario"
        if not where
        else "where SCENARIO.toml holds the scenario below (scenario.json in the output folder)"
    )
    return f"<p>Reproduce it ({note}): <code>{html.escape(command)}</code></p>"


def _changed(parameters: dict[str, float]) -> str:
    rows = []
    for key, value in sorted(parameters.items()):
        known = PARAMETERS.get(key)
        if known is None or value == known.default:
            continue
        rows.append(
            f"<tr><td>{html.escape(key)}</td><td>{value:g}</td><td>{known.default:g}</td>"
            f"<td>{html.escape(known.unit)}</td></tr>"
        )
    if not rows:
        return "<p>Every parameter is at its built-in default.</p>"
    return (
        "<p>Parameters that differ from the built-in defaults:</p>"
        '<div class="wide"><table><caption>Changed parameters</caption><thead><tr>'
        "<th>parameter</th><th>this run</th><th>default</th><th>unit</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _sources(parameters: dict[str, float]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(key)}</td><td>{parameters.get(key, known.default):g}</td>"
        f"<td>{html.escape(known.unit)}</td><td class='text'>{html.escape(known.source)}</td></tr>"
        for key, known in sorted(PARAMETERS.items())
    )
    return (
        "<details><summary>Every parameter, its value and its source</summary>"
        '<div class="wide"><table><thead><tr><th>parameter</th><th>value</th><th>unit</th>'
        f"<th>source</th></tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def record(results: Results) -> str:
    """The section's HTML."""
    scenario = results.scenario
    parameters = dict(results.parameters)
    text = json.dumps(scenario.model_dump(mode="json"), indent=2, ensure_ascii=False)
    facts: list[tuple[str, Any]] = [
        ("scenario", scenario.name),
        ("network", scenario.network),
        ("months", scenario.months),
        ("replications", scenario.replications),
        ("seed", scenario.seed),
        ("start date", scenario.start_date),
        ("counterflow version", results.version),
    ]
    items = "".join(
        f"<li>{html.escape(name)}: <code>{html.escape(str(value))}</code></li>"
        for name, value in facts
    )
    return (
        f"<ul>{items}</ul>{_command(results)}{_changed(parameters)}{_sources(parameters)}"
        "<details><summary>The exact scenario (as <code>scenario.json</code>)</summary>"
        f"<pre>{html.escape(text)}</pre></details>"
    )
