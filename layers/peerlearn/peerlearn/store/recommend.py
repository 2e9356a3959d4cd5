"""Items of the recommendations (peerlearn.recommend): what the stream keeps current between model
builds, and the markers that make each change count once.

- POPULARITY: pk SESSION#<id>, sk POPULARITY: bookings, ratings and views counted so far, and
  `trend_log2` = log2(sum of weight x 2**((at - EPOCH) / half-life)), a decayed popularity whose
  order never changes with time. While its session is bookable it sits on the sparse gsi1
  (gsi1pk TRENDING, gsi1sk <trend, zero-padded>#<session id>): trending is one Query, newest-heaviest
  first. While bookable it also sits on the sparse gsi2 (gsi2pk FRESH, gsi2sk <created_at>#<session id>)
  with the session's `tags`: what was published since a model build is one Query (gsi2sk > built_at).
- TASTE: pk USER#<id>, sk TASTE: a learner's recent history (session, weight, at), newest last and
  capped, and the sessions they hold a seat in (never recommended again).
- VIEW: pk VIEW#<learner>#<session>#<day>: a learner's view of a session counts once a day (TTL).
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1, Gsi2

POPULARITY_SK = "POPULARITY"
TASTE_SK = "TASTE"
VIEW_SK = "VIEW"
TRENDING = "TRENDING"  # gsi1pk of bookable sessions' popularity
FRESH = "FRESH"  # gsi2pk of bookable sessions' popularity, by when they were published
# trend_log2 grows by 1 every half-life after the epoch; the offset keeps it positive for centuries
# before the epoch, so the zero-padded text sorts as the number does.
_TREND_OFFSET = 1_000_000.0


def view_pk(learner_id: str, session_id: str, day: str) -> str:
    return f"VIEW#{learner_id}#{session_id}#{day}"


def trending_gsi1sk(trend_log2: float, session_id: str) -> str:
    return f"{trend_log2 + _TREND_OFFSET:017.6f}#{session_id}"


def fresh_gsi2sk(created_at: str, session_id: str) -> str:
    """`created_at` ISO UTC: sorts as time, so `gsi2sk > built_at` is "published since the build"."""
    return f"{created_at}#{session_id}"


class HistoryEntry(MapAttribute[str, object]):
    session_id = UnicodeAttribute()
    weight = NumberAttribute()
    at = NumberAttribute()  # epoch seconds


class PopularityItem(BaseItem, discriminator="POPULARITY"):
    session_id = UnicodeAttribute()
    bookings = NumberAttribute(default=0)
    ratings = NumberAttribute(default=0)
    rating_sum = NumberAttribute(default=0)
    views = NumberAttribute(default=0)
    trend_log2 = NumberAttribute(null=True)  # None: nothing counted yet
    updated_at = NumberAttribute(default=0)  # epoch seconds
    version = NumberAttribute(default=0)  # each write raises it, on condition it is still the one read
    gsi1pk = UnicodeAttribute(null=True)  # TRENDING while the session is bookable
    gsi1sk = UnicodeAttribute(null=True)
    trending = Gsi1()
    tags = ListAttribute(of=UnicodeAttribute, default=list)  # the session's, as it spells them
    gsi2pk = UnicodeAttribute(null=True)  # FRESH while the session is bookable
    gsi2sk = UnicodeAttribute(null=True)  # <created_at>#<session id>
    fresh = Gsi2()


class TasteItem(BaseItem, discriminator="TASTE"):
    user_id = UnicodeAttribute()
    history = ListAttribute(of=HistoryEntry, default=list)
    booked = ListAttribute(of=UnicodeAttribute, default=list)
    version = NumberAttribute(default=0)  # each write raises it, on condition it is still the one read


class ViewMarkerItem(BaseItem, discriminator="VIEW"):
    """Exists while a learner's view of a session today has been counted."""


RECOMMEND_MODELS: tuple[type[BaseItem], ...] = (PopularityItem, TasteItem, ViewMarkerItem)
