"""The serving side's small rules: opaque cursors (bad ones refused as 400s), no mentor more than twice
in ten, new sessions woven into a ranking."""

from __future__ import annotations

import pytest

from peerlearn.errors import BadRequest
from peerlearn.recommend import diversity
from peerlearn.recommend.model import Reason
from peerlearn.recommend.paging import (
    RANK_DEPTH,
    Ranked,
    decode_cursor,
    encode_cursor,
    interleave,
    mentor_of,
)

REASON = Reason("trending", "Popular this week")


def ranked(name: str) -> Ranked:
    return Ranked(name, 1.0, REASON)


def test_a_cursor_round_trips_and_nothing_else_passes() -> None:
    assert decode_cursor(encode_cursor(17)) == 17
    assert decode_cursor(None) == decode_cursor("") == 0
    for bad in ("%%%", "bm90IGpzb24", encode_cursor(-1), encode_cursor(RANK_DEPTH + 1), "eyJwIjogdHJ1ZX0"):
        with pytest.raises(BadRequest) as refused:
            decode_cursor(bad)
        assert refused.value.field == "cursor"


def test_no_mentor_has_more_than_two_sessions_in_any_ten() -> None:
    items = [(ranked(f"a{n}"), {"mentor_id": {"S": "A"}}) for n in range(5)]
    items += [(ranked(f"b{n}"), {"mentor_id": {"S": f"B{n}"}}) for n in range(8)]

    # the trending page spreads live sessions by the one rule the model uses too
    ordered = [r.item_id for r, _ in diversity.diversify(items, lambda candidate: mentor_of(candidate[1]))]

    assert ordered[:10] == ["a0", "a1", "b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"]
    assert ordered[10:] == ["a2", "a3", "a4"]  # nothing else left: they fill the end


def personal(name: str) -> Ranked:
    return Ranked(name, 1.0, Reason("co_booked", "Learners who booked A also booked this", "A"))


def test_new_sessions_take_one_place_in_every_three_among_personal_picks() -> None:
    ranking = [personal(n) for n in "abcde"]
    merged = interleave(ranking, [ranked("X"), ranked("Y"), ranked("Z")], every=3)
    assert [r.item_id for r in merged] == ["a", "b", "X", "c", "d", "Y", "e", "Z"]


def test_new_sessions_on_the_learners_interests_come_before_merely_popular_ones() -> None:
    ranking = [personal("a"), ranked("p1"), ranked("p2"), personal("b")]
    merged = interleave(ranking, [ranked("X"), ranked("Y")], every=3)
    assert [r.item_id for r in merged] == ["a", "X", "Y", "p1", "p2", "b"]
