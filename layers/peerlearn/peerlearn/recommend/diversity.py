"""One rule for spreading a ranked list over mentors, pure and shared by the model and serving: at
most `cap` items of one mentor in each page of `page`, so a learner never sees a page of one mentor.

The rule, applied page by page down the ranking: take items in rank order; an item whose mentor
already has `cap` items on the page is held back, and held items go first into the next page (so it
is a delay, not a penalty: the order within a mentor never changes). When only capped mentors are
left (every remaining item was held back), the cap gives way and they come in rank order. Items with
no mentor (`mentor_of` returns None) are never capped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")

PAGE = 10
PER_MENTOR_PER_PAGE = 2


def diversify(
    ids: Sequence[T],
    mentor_of: Callable[[T], Hashable | None],
    cap: int = PER_MENTOR_PER_PAGE,
    page: int = PAGE,
    limit: int | None = None,
) -> list[T]:
    """`ids` (best first) reordered by the rule above; the first `limit` of them (all by default).
    Example, cap 2, page 4, mentors A A A B: [A1, A2, B1, A3] (A3 waits for B1, then the cap gives
    way as no other mentor is left)."""
    if cap < 1 or page < 1:
        raise ValueError("cap and page must be at least 1")
    wanted = len(ids) if limit is None else min(limit, len(ids))
    chosen: list[T] = []
    waiting = list(ids)
    while len(chosen) < wanted and waiting:
        per_mentor: Counter[Hashable] = Counter()
        this_page: list[T] = []
        held: list[T] = []
        for item in waiting:
            if len(this_page) == page or len(chosen) + len(this_page) == wanted:
                held.append(item)
                continue
            mentor = mentor_of(item)
            if mentor is not None and per_mentor[mentor] >= cap:
                held.append(item)
                continue
            per_mentor[mentor] += 1
            this_page.append(item)
        if not this_page:  # only capped mentors left: take them as they come
            this_page = held[: min(page, wanted - len(chosen))]
            held = held[len(this_page) :]
        chosen.extend(this_page)
        waiting = held
    return chosen[:wanted]
