"""One error hierarchy for counterflow.

Every error says what was wrong, where (file, line, key) and what to do instead. Errors caused
by the user's input derive from :class:`InputError`; the command-line interface turns them into
one line on stderr and exit code 2. Each class also derives from the fitting builtin, so
callers that catch ``ValueError`` or ``FileNotFoundError`` keep working.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CounterflowError",
    "DisconnectedDemandError",
    "InputError",
    "InputFileNotFoundError",
    "InvalidParameterError",
    "LegalDataError",
    "NetworkFormatError",
    "NumericalError",
    "OutputError",
    "SolverError",
]


class CounterflowError(Exception):
    """Base class of every error counterflow raises on purpose."""


class InputError(CounterflowError, ValueError):
    """The user's input (a file, an argument, a parameter) is wrong; exit code 2.

    Args:
        message: What is wrong and what to do instead.
        path: The file the problem is in, if any.
        line: The 1-based line number in ``path``, if known.
        key: The key path (for structured files or arguments), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.key = key
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return ``file:line: key: message`` with the parts that are known."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        if self.key is not None:
            where += f"{self.key}: "
        return f"{where}{self.message}"


class InputFileNotFoundError(InputError, FileNotFoundError):
    """A required input file is missing, or a glob matched no file or several."""


class NetworkFormatError(InputError):
    """A network or demand file is malformed (bad line, unknown node, bad value)."""


class LegalDataError(InputError):
    """A legal rules file is malformed (missing citation or date, overlapping versions, ...)."""


class InvalidParameterError(InputError):
    """A parameter is outside its valid range or breaks a cost function."""


class DisconnectedDemandError(InputError):
    """Positive demand between two zones that no path connects.

    ``class_index`` and ``pair_index`` locate the pair, so that a caller who read the demand
    from a file can name its line.
    """

    class_index: int = -1
    pair_index: int = -1


class SolverError(CounterflowError, RuntimeError):
    """A failure inside a solve that is not the user's input (exit code 1)."""


class NumericalError(SolverError):
    """A solve's objective, gap or link costs stopped being finite numbers (exit code 1).

    Numbers out of scale cause it (a capacity near 0, a huge demand or power): the solve stops
    at once instead of iterating on NaN, which compares false with every target gap.
    """


class OutputError(CounterflowError, OSError):
    """Results were computed but could not be written where asked (exit code 1).

    The message says what failed (the operating system's words) and where the results are
    now. ``results`` is that folder, or ``None`` when they could be saved nowhere.

    Args:
        message: One line: what failed and where the results are.
        results: The folder that holds the complete results, if any.
        cause: The operating-system error; its ``errno`` is kept.
    """

    def __init__(
        self, message: str, *, results: Path | None = None, cause: OSError | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.results = results
        if cause is not None:
            self.errno = cause.errno  # strerror stays unset, so str() is the message alone
