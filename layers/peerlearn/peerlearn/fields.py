"""Field types the shapes of several domains share: topic tags and time zones.

Kept apart from any one domain's schemas so a domain that needs a tag or a zone doesn't load (and
build) another domain's request and response models at its cold start.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, StringConstraints

from peerlearn.text import SingleLine

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]

_TIMEZONES: frozenset[str] | None = None


def _valid_timezone(name: str) -> str:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    if name not in _TIMEZONES:
        raise ValueError("must be an IANA time zone such as Asia/Kolkata")
    return name


Timezone = Annotated[str, AfterValidator(_valid_timezone)]
