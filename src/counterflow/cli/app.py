"""The Typer application, its consoles, exit codes and the entry point :func:`main`.

Commands print results on stdout and progress on stderr. Bad input of any kind (files,
arguments, parameters) ends with one line on stderr naming the file, line or key and the fix,
and exit code 2; a failure inside a run exits 1; Ctrl-C ends with one line and exit code 130.
Every message is text: user strings in it pass through :func:`counterflow.cli.text.clean`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from counterflow import __version__
from counterflow.cli.text import clean
from counterflow.errors import CounterflowError, InputError
from counterflow.scenario import Scenario, ScenarioError, ignored_levers

app = typer.Typer(
    name="counterflow",
    help="Evaluate strategies against drug-trafficking organizations before anyone acts.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C
INTERRUPTED = "counterflow: interrupted; nothing was written"


class Interrupted(Exception):  # noqa: N818 (it is not an error: the user stopped the command)
    """Ctrl-C in a command that kept what it had finished; the message says where and how on."""


def stdout_console() -> Console:
    """Results go to stdout."""
    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    """Progress and notes go to stderr."""
    return Console(stderr=True, highlight=False)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)
    ] = False,
) -> None:
    """Evaluate strategies against drug-trafficking organizations before anyone acts."""
    if version:
        typer.echo(f"counterflow {__version__}")
        raise typer.Exit
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def warn_ignored_levers(scenario: Scenario) -> None:
    """One line on stderr per lever a strategy sets that has no effect (never silent)."""
    for strategy in scenario.strategy:
        for reason in ignored_levers(strategy.levers):
            stderr_console().print(
                f"warning: strategy {clean(repr(strategy.id))}: {clean(reason)}",
                markup=False,
                soft_wrap=True,
            )


def progress_line(command: str, text: str, start: float) -> None:
    """``counterflow: COMMAND: TEXT, H:MM:SS elapsed`` on stderr (progress without a terminal)."""
    minutes, seconds = divmod(round(time.monotonic() - start), 60)
    clock = f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    print(f"counterflow: {command}: {text}, {clock} elapsed", file=sys.stderr, flush=True)


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place.

    A failure leaves nothing behind: neither a partial ``path`` nor the temporary file.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError(
            "the folder does not exist; create it or choose another path", path=path.parent
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 (one return per outcome)
    """Run the command line; return the exit code (0 ok, 1 failure, 2 bad input, 130 Ctrl-C).

    Every message is one line without escape sequences or control characters, whatever the
    file, key or value it names.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = app(args=args or ["--help"], prog_name="counterflow", standalone_mode=False)
    except KeyboardInterrupt:  # outside a command; inside one Typer returns 130 (below)
        return _say(INTERRUPTED, EXIT_INTERRUPTED)
    except Interrupted as kept:
        return _say(f"counterflow: interrupted; {clean(kept)}", EXIT_INTERRUPTED)
    except typer.Abort:
        return _say("counterflow: aborted", EXIT_FAILURE)
    except typer.TyperException as error:  # usage errors: bad option, missing argument, ...
        format_message = getattr(error, "format_message", None)
        text = format_message() if callable(format_message) else str(error)
        message = " ".join(clean(text).split())
        return _say(f"counterflow: error: {message} (see counterflow --help)", EXIT_BAD_INPUT)
    except ScenarioError as error:
        return _say(f"counterflow: error: {clean(error.lines()[0])}", EXIT_BAD_INPUT)
    except InputError as error:
        return _say(f"counterflow: error: {clean(error.one_line())}", EXIT_BAD_INPUT)
    except CounterflowError as error:
        return _say(f"counterflow: failed: {clean(error)}", EXIT_FAILURE)
    if result == EXIT_INTERRUPTED:  # Typer's answer to a KeyboardInterrupt in a command
        return _say(INTERRUPTED, EXIT_INTERRUPTED)
    if isinstance(result, int):
        return result
    return 0


def _say(line: str, code: int) -> int:
    """Print one line on stderr and return ``code``."""
    print(line, file=sys.stderr, flush=True)
    return code
