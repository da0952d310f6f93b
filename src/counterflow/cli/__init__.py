"""The ``counterflow`` command line (Typer + Rich): one module per group of commands.

Commands print results on stdout and progress on stderr. Bad input of any kind (files,
arguments, parameters) ends with one line on stderr naming the file, line or key and the fix,
and exit code 2; a failure inside a run exits 1.
"""

from counterflow.cli import assign, compare, explore, legal  # noqa: F401 (registers the commands)
from counterflow.cli.app import app, main, write_atomically

__all__ = ["app", "main", "write_atomically"]
