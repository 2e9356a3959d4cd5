"""Look-alike email addresses: a Unicode TS #39 skeleton, and the one-script rule for local parts.

`asha@x.com` spelt with a Cyrillic a (U+0430), a fullwidth one (U+FF41) or a mathematical bold
one (U+1D41A) has the skeleton of `asha@x.com`; registration claims the skeleton beside the
address, so a look-alike of an existing account is refused. The confusables table
(confusables.json beside this module) is loaded on first use, by registration: nothing else
pays for it at cold start.

The table is generated from the confusables data that the `confusable-homoglyphs` package ships
(Unicode's confusables.txt, Unicode License): `python -m peerlearn.accounts.confusables PATH`, with
PATH that package's confusables.json (see `_build` for how prototypes are recovered).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from functools import cache
from pathlib import Path

_TABLE = Path(__file__).with_name("confusables.json")
# First words of Unicode character names that name a script (letters of no listed script count as
# "common", like digits and punctuation). Enough to tell the scripts people mix to deceive.
_SCRIPTS = frozenset(
    """LATIN CYRILLIC GREEK ARMENIAN HEBREW ARABIC SYRIAC THAANA DEVANAGARI BENGALI GURMUKHI GUJARATI
    ORIYA TAMIL TELUGU KANNADA MALAYALAM SINHALA THAI LAO TIBETAN MYANMAR GEORGIAN HANGUL ETHIOPIC
    CHEROKEE CANADIAN OGHAM RUNIC KHMER MONGOLIAN HIRAGANA KATAKANA BOPOMOFO CJK COPTIC GLAGOLITIC
    TIFINAGH NKO VAI BAMUM LISU""".split()
)


@cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = json.loads(_TABLE.read_text(encoding="utf-8"))
    return table


def fold(text: str) -> str:
    """NFKC and case-folded: fullwidth and mathematical letters become the letters they stand for."""
    return unicodedata.normalize("NFKC", text).casefold()


def skeleton(text: str) -> str:
    """TS #39 skeleton of the folded text: two strings that look alike have the same skeleton.

    Folded again after mapping (a prototype may be a capital, "0" -> "O"), until nothing changes,
    so "0" and "o" meet too: addresses are case-insensitive, look-alikes should be as well."""
    prototypes = _prototypes()
    current = fold(text)
    for _ in range(4):
        decomposed = unicodedata.normalize("NFD", current)
        mapped = unicodedata.normalize("NFD", "".join(prototypes.get(char, char) for char in decomposed))
        folded = fold(mapped)
        if folded == current:
            break
        current = folded
    return current


def script_of(char: str) -> str | None:
    """The script of a letter (by its Unicode name), or None for digits, punctuation and marks."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return word if word in _SCRIPTS else None


def mixed_scripts(text: str) -> set[str]:
    """The scripts of the letters in `text` after folding, when there are two or more (else empty)."""
    scripts = {script for script in map(script_of, fold(text)) if script}
    return scripts if len(scripts) > 1 else set()


# ---------------------------------------------------------------- building the table
def _build(source: Path) -> dict[str, str]:
    """From confusable-homoglyphs' confusables.json, which lists each confusables.txt line in both
    directions: the classes of look-alikes are its connected groups; in each, the prototype is the
    multi-character member if any, else the member paired with all others, else (a pair) the ASCII
    or lower code point one. Any consistent choice keeps TS #39's equality of skeletons."""
    pairs: dict[str, list[dict[str, str]]] = json.loads(source.read_text(encoding="utf-8"))
    neighbours: dict[str, set[str]] = {}

    def clean(unit: str) -> str:  # the file keeps the direction marks that frame right-to-left text
        return unit.replace("\u200e", "").replace("\u200f", "")

    for unit, entries in pairs.items():
        for entry in entries:
            a, b = clean(unit), clean(entry["c"])
            if a and b and a != b:
                neighbours.setdefault(a, set()).add(b)
                neighbours.setdefault(b, set()).add(a)
    table: dict[str, str] = {}
    seen: set[str] = set()
    for start in sorted(neighbours):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            unit = todo.pop()
            if unit not in group:
                group.add(unit)
                todo.extend(neighbours[unit] - group)
        seen |= group
        longer = sorted(unit for unit in group if len(unit) > 1)
        centres = sorted(unit for unit in group if neighbours[unit] >= group - {unit})
        if longer:
            prototype = longer[0]
        elif len(group) > 2 and centres:
            prototype = centres[0]
        else:
            prototype = min(group, key=lambda unit: (not unit.isascii(), unit))
        for unit in group:
            if len(unit) == 1 and unit != prototype:
                table[unit] = prototype
    # A prototype of several characters is itself made of mapped characters: map until stable.
    for _ in range(5):
        changed = False
        for char, prototype in table.items():
            mapped = "".join(table.get(c, c) for c in prototype)
            if mapped != prototype:
                table[char], changed = mapped, True
        if not changed:
            break
    return dict(sorted(table.items()))


if __name__ == "__main__":
    built = _build(Path(sys.argv[1]))
    _TABLE.write_text(json.dumps(built, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {len(built)} confusables to {_TABLE}")
