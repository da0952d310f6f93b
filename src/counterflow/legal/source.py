"""A law file as text: decoded, parsed as TOML, and its lines found again for error messages.

Problems that stop the file from being read at all (not UTF-8, not TOML, nested too deeply to
parse) raise :class:`~counterflow.errors.LegalDataError` with the file and, where known, the
line. :class:`LawSource` keeps the text so that later checks can name the line of a key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterflow.errors import LegalDataError
from counterflow.textfile import decode_utf8

__all__ = ["LawSource", "read_law_source"]

_TABLE = re.compile(r"^\s*\[")
_LINE_OF_TOML_ERROR = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class LawSource:
    """A parsed law file and its text (for line numbers)."""

    path: Path
    data: dict[str, Any]
    lines: tuple[str, ...]

    def line_of(self, array: str | None, index: int | None = None, key: str | None = None) -> int:
        """The 1-based line of ``key`` in the ``index``-th ``[[array]]`` table (0: unknown).

        With ``array`` None, ``key`` is a top-level key (before the first table). Lines are
        found by reading the text, so a table written inline (``rule = [{...}]``) gives 0.
        """
        start, end = 0, len(self.lines)
        if array is not None:
            header = re.compile(rf"^\s*\[\[\s*{re.escape(array)}\s*\]\]")
            starts = [n for n, text in enumerate(self.lines) if header.match(text)]
            if index is None or index >= len(starts):
                return 0
            start = starts[index]
            if key is None:
                return start + 1
            start += 1
        assignment = re.compile(rf"^\s*[\"']?{re.escape(key or '')}[\"']?\s*=")
        for number in range(start, end):
            text = self.lines[number]
            if _TABLE.match(text):
                break
            if assignment.match(text):
                return number + 1
        return 0


def read_law_source(path: Path) -> LawSource:
    """Read and parse one law file (a UTF-8 byte-order mark is fine)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LegalDataError(f"cannot read the file ({error.strerror})", path=path) from None
    text = decode_utf8(path, raw, error=LegalDataError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # TOML rejects malformed dates here (e.g. 2025-13-01): say so in one line.
        at = _LINE_OF_TOML_ERROR.search(str(error))
        raise LegalDataError(
            f"not valid TOML ({error}); dates are YYYY-MM-DD",
            path=path,
            line=int(at.group(1)) if at else None,
        ) from None
    except ValueError:
        # Python refuses to convert integers of more than 4,300 digits (sys.int_info).
        raise LegalDataError(
            "holds a number too long to read; write numbers in ordinary notation", path=path
        ) from None
    except RecursionError:
        raise LegalDataError(
            "arrays or tables nested too deeply to read; a rules file has framework, "
            "[[rule]] and [[parameter]] tables of plain values",
            path=path,
        ) from None
    return LawSource(path, data, tuple(text.splitlines()))
