"""User strings made safe for the terminal: text, never markup or control sequences.

A scenario, law folder or data file is shared between people; whatever it holds (a name with
``[/bold]``, an ANSI colour, an OSC 8 hyperlink, a bell) must print as the characters it is,
not change what the terminal shows. :func:`clean` removes escape sequences and control
characters; :func:`safe` also escapes Rich markup, for text printed through a Rich console
whose markup is on.
"""

from __future__ import annotations

import re

from rich.markup import escape

__all__ = ["clean", "safe"]

# ESC-started sequences: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and the
# two-byte escapes; then the 8-bit forms of CSI and OSC.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]+")


def clean(text: object, *, one_line: bool = True) -> str:
    """``text`` without terminal escape sequences or control characters.

    With ``one_line`` (the default) tabs and line breaks become one space each run, so a
    message stays on its line; otherwise newlines and tabs are kept.
    """
    value = _ESCAPES.sub("", str(text))
    if one_line:
        value = _LINE_BREAKS.sub(" ", value)
    return _CONTROLS.sub("", value)


def safe(text: object, *, one_line: bool = True) -> str:
    """:func:`clean` text with Rich markup escaped (``[bold]`` prints as itself)."""
    return escape(clean(text, one_line=one_line))
