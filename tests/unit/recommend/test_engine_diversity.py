"""The one mentor-spreading rule (`recommend.diversity.diversify`) on hand-made rankings."""

from __future__ import annotations

import pytest

from peerlearn.recommend.diversity import diversify


def mentor(item: str) -> str | None:
    return None if item.startswith("-") else item[0]


def test_at_most_cap_of_one_mentor_per_page_and_held_items_lead_the_next_page():
    ranked = ["a1", "a2", "a3", "b1", "c1", "a4", "b2", "d1"]
    assert diversify(ranked, mentor, cap=2, page=4) == ["a1", "a2", "b1", "c1", "a3", "a4", "b2", "d1"]


def test_the_cap_gives_way_when_only_capped_mentors_are_left():
    assert diversify(["a1", "a2", "a3", "b1"], mentor, cap=2, page=4) == ["a1", "a2", "b1", "a3"]
    assert diversify(["a1", "a2", "a3", "a4"], mentor, cap=1, page=2) == ["a1", "a2", "a3", "a4"]


def test_items_without_a_mentor_are_never_capped_and_limit_cuts_the_list():
    ranked = ["-x", "-y", "-z", "a1", "a2", "a3"]
    assert diversify(ranked, mentor, cap=1, page=10) == ["-x", "-y", "-z", "a1", "a2", "a3"]
    assert diversify(ranked, mentor, cap=1, page=10, limit=4) == ["-x", "-y", "-z", "a1"]
    assert diversify([], mentor) == []


def test_a_cap_or_page_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        diversify(["a1"], mentor, cap=0)
