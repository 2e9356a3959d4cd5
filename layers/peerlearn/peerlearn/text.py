"""Text people type: the one rule every name, title and password shares.

Control characters (NUL, escapes, bidi overrides) are never meaningful in a name, a title or a
password; they break logs, emails and other people's screens, so they are refused, not stripped.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Tabs and newlines are fine in long text (descriptions, bios, reviews); nowhere else.
_LONG_TEXT_WHITESPACE = frozenset("\n\r\t")
# Bidirectional overrides and isolates can make text read differently from what it is (Trojan Source).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character(value: str, *, allow_newlines: bool = False) -> str | None:
    """The first control character in `value` as `U+XXXX`, or None when there is none."""
    for char in value:
        if allow_newlines and char in _LONG_TEXT_WHITESPACE:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None


def _single_line(value: str) -> str:
    found = control_character(value)
    if found:
        raise ValueError(f"must not contain control characters (found {found})")
    return value


def _multi_line(value: str) -> str:
    found = control_character(value, allow_newlines=True)
    if found:
        raise ValueError(f"must not contain control characters (found {found})")
    return value


# Add to an Annotated[str, ...] type: `Annotated[str, StringConstraints(...), SingleLine]`.
SingleLine = AfterValidator(_single_line)
MultiLine = AfterValidator(_multi_line)
PlainLine = Annotated[str, SingleLine]
