"""The model's popularity half-life, chosen by each build on its own latest events."""

from __future__ import annotations

import numpy as np

from peerlearn.recommend import popularity, trending
from peerlearn.recommend.model import BuildInput, Catalogue, Interactions, Model, build

NOW = 1_800_000_000
DAY = 86_400


def log_where_the_recent_burst_predicts_what_comes_next() -> tuple[list[str], list[str], list[int]]:
    """12 old favourites (20 learners each, 100 days ago), a new session 10 learners booked
    yesterday, and then 30 more learners booking the new one."""
    events = [(f"old{n}-{u}", f"o{n}", NOW - 100 * DAY) for n in range(12) for u in range(20)]
    events += [(f"early{u}", "new", NOW - DAY) for u in range(10)]
    events += [(f"next{u}", "new", NOW) for u in range(30)]
    users, items, at = (list(column) for column in zip(*events, strict=True))
    return users, items, at


def codes(values: list[str]) -> np.ndarray:
    index: dict[str, int] = {}
    return np.asarray([index.setdefault(v, len(index)) for v in values], dtype=np.int64)


def test_a_short_half_life_wins_when_the_latest_bookings_follow_the_recent_burst():
    users, items, at = log_where_the_recent_burst_predicts_what_comes_next()
    item_codes = codes(items)
    choice = popularity.choose_half_life(
        codes(users), item_codes, np.ones(len(at)), np.asarray(at, dtype=np.int64), int(item_codes.max()) + 1
    )
    assert choice.validation_users == 30
    assert choice.recall[730 * DAY] == 0.0  # the old favourites fill the top ten
    assert choice.recall[choice.half_life_seconds] == 1.0
    assert choice.half_life_seconds < 99 * DAY


def test_too_few_learners_to_check_keeps_the_products_half_life():
    # 40 bookings: the latest tenth is 4 learners, too few to measure on
    users = np.arange(40, dtype=np.int64)
    items = users % 3
    at = NOW - (40 - users) * DAY
    choice = popularity.choose_half_life(users, items, np.ones(40), at, 3)
    assert choice.validation_users == 4 < popularity.MIN_VALIDATION_USERS
    assert choice.half_life_seconds == trending.HALF_LIFE_SECONDS
    assert choice.recall == {}


def test_the_build_keeps_the_chosen_half_life_in_its_artefact():
    users, items, at = log_where_the_recent_burst_predicts_what_comes_next()
    ids = sorted(set(items))
    model = build(
        BuildInput(
            Catalogue(ids=ids, tags=[["x"]] * len(ids)),
            Interactions(users, items, at, [1.0] * len(at)),
            now=NOW,
        ),
        build_id="t",
    )
    loaded = Model.from_bytes(model.to_bytes())
    assert loaded.trend_half_life_seconds == model.trend_half_life_seconds < 99 * DAY
    assert loaded.trend_validation_users == 30
    assert loaded.trend[loaded.index_of["new"]] > loaded.trend[loaded.index_of["o0"]]
