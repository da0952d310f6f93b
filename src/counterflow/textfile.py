"""Text files from users: UTF-8 or one line saying what the file is instead.

Scenario files and law folders are written by hand and shared; an editor may save them as
UTF-16 or Windows-1252. :func:`decode_utf8` accepts UTF-8 (with or without a byte-order mark)
and otherwise names the encoding its byte-order mark declares, a NUL byte (UTF-16 without a
mark) or the first byte that is not UTF-8, with its offset and line.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from counterflow.errors import InputError

__all__ = ["decode_utf8"]

# Byte-order marks of encodings other than UTF-8 (UTF-32 first: its marks start like UTF-16's).
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode_utf8(path: Path, raw: bytes, *, error: type[InputError] = InputError) -> str:
    """The text of ``raw`` (read from ``path``) as UTF-8, a byte-order mark allowed.

    Raises:
        InputError: (or ``error``, a subclass) The file is not UTF-8: one line naming the
            encoding found, or the offending byte, its offset and line, and the fix.
    """
    for bom, name in _OTHER_BOMS:
        if raw.startswith(bom):
            raise error(
                f"the file is {name} text (byte-order mark {bom.hex(' ')}); save it as UTF-8",
                path=path,
            )
    if b"\x00" in raw:
        at = raw.index(b"\x00")
        raise error(
            f"not UTF-8 text: a NUL byte at offset {at} (the file looks like UTF-16 without a "
            "byte-order mark); save it as UTF-8",
            path=path,
            line=raw.count(b"\n", 0, at) + 1,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(
            f"not UTF-8 text: byte 0x{raw[failure.start]:02X} at offset {failure.start} "
            f"({_guess(raw)}); save it as UTF-8",
            path=path,
            line=raw.count(b"\n", 0, failure.start) + 1,
        ) from None


def _guess(raw: bytes) -> str:
    """A hint at the encoding of bytes that are not UTF-8 (a guess, said as one)."""
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "an encoding counterflow does not recognize"
    return "perhaps Latin-1 or Windows-1252"
