"""The one control-character rule for names, titles, passwords and long text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from peerlearn.text import control_character


@given(st.text())
def test_a_string_is_refused_exactly_when_it_holds_a_control_or_bidi_character(value: str) -> None:
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    expected = any(unicodedata.category(c) == "Cc" or c in bidi for c in value)
    assert (control_character(value) is not None) == expected


def test_long_text_keeps_its_line_breaks_and_tabs_but_not_other_controls() -> None:
    assert control_character("Bring:\n\tcode\r\n", allow_newlines=True) is None
    assert control_character("Bring:\n", allow_newlines=False) == "U+000A"
    assert control_character("a\x00b", allow_newlines=True) == "U+0000"


def test_the_first_offending_character_is_named() -> None:
    assert control_character("fine \u202e then \x07") == "U+202E"
