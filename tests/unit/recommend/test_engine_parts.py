"""The engine's parts on data small enough to work out by hand: TF-IDF weights, item-kNN neighbours,
EASE weights, decay arithmetic, rating weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peerlearn.recommend import collaborative, content, trending
from peerlearn.recommend.weights import BOOKING_WEIGHT, rating_weight, stars_of


def test_tfidf_weighs_a_rare_tag_above_a_common_one_and_rows_are_unit_length():
    index = content.build_content(
        [
            content.item_tokens(["Python"], None, None),
            content.item_tokens(["python", "SQL"], None, None),
            content.item_tokens(["Go"], None, None),
        ]
    )
    idf_python = math.log(4 / 3) + 1  # 2 of 3 items
    idf_sql = math.log(4 / 2) + 1  # 1 of 3 items
    columns, values = index.row(1)
    weights = dict(zip([index.vocab[c] for c in columns.tolist()], values.tolist(), strict=True))
    norm = math.hypot(idf_python, idf_sql)
    assert weights["python"] == pytest.approx(idf_python / norm, rel=1e-5)
    assert weights["sql"] == pytest.approx(idf_sql / norm, rel=1e-5)
    assert weights["sql"] > weights["python"]
    assert index.cosine(0, 1) == pytest.approx(idf_python / norm, rel=1e-5)
    assert index.cosine(0, 2) == 0.0


def test_level_and_language_count_less_than_a_tag():
    tokens = content.item_tokens(["Python"], "Beginner", "Hindi")
    assert tokens == {
        "python": 1.0,
        "level:beginner": content.LEVEL_FACTOR,
        "lang:hindi": content.LANGUAGE_FACTOR,
    }


def test_a_profile_of_interests_scores_the_items_that_carry_them():
    index = content.build_content([{"python": 1.0}, {"go": 1.0}, {"python": 1.0, "sql": 1.0}])
    scores = index.scores(index.profile_of_tokens({"python": 1.0}))
    assert scores[1] == 0.0
    assert scores[0] > scores[2] > 0  # the item that is only python matches best


def _matrix(pairs: list[tuple[int, int]], n_items: int):
    users = np.asarray([u for u, _ in pairs], dtype=np.int64)
    items = np.asarray([i for _, i in pairs], dtype=np.int64)
    return collaborative.user_item_matrix(users, items, np.ones(len(pairs)), n_items)


def test_item_knn_finds_the_item_booked_by_the_same_learners_with_the_cosine_shrunk():
    # learners 0 and 1 booked items 0 and 1; learner 2 booked items 1 and 2
    users, items, values = _matrix([(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (2, 2)], 3)
    neighbours, similarity = collaborative.item_knn(users, items, values, 3, k=2, shrink=1.0)
    # cos(0, 1) = 2 / (sqrt(2) sqrt(3) + 1); cos(1, 2) = 1 / (sqrt(3) * 1 + 1); cos(0, 2) = 0
    assert neighbours[0, 0] == 1
    assert similarity[0, 0] == pytest.approx(2 / (math.sqrt(6) + 1), rel=1e-5)
    assert similarity[0, 1] == 0.0
    assert neighbours[2, 0] == 1
    assert similarity[2, 0] == pytest.approx(1 / (math.sqrt(3) + 1), rel=1e-5)
    assert list(neighbours[1]) == [0, 2]  # the stronger neighbour first


def test_repeated_events_are_summed_and_a_cancelled_pair_is_dropped():
    users = np.asarray([0, 0, 1], dtype=np.int64)
    items = np.asarray([0, 0, 1], dtype=np.int64)
    u, i, v = collaborative.user_item_matrix(users, items, np.asarray([1.0, 0.5, -1.0]), 2)
    assert list(zip(u.tolist(), i.tolist(), v.tolist(), strict=True)) == [(0, 0, 1.5)]


def test_ease_weights_match_the_closed_form_for_two_items_always_booked_together():
    users, items, _ = _matrix([(u, i) for u in range(3) for i in (0, 1)] + [(3, 2)], 3)
    members, weights = collaborative.ease(users, items, 3, size=10, l2=1.0)
    assert members.tolist() == [0, 1]  # item 2 has one learner: left to kNN
    # G + l2 I = [[4, 3], [3, 4]]; B_01 = -P_01 / P_11 = 3 / 4
    assert weights[0, 1] == pytest.approx(0.75, rel=1e-5)
    assert weights[0, 0] == 0.0


def test_scores_from_history_sum_weight_times_similarity():
    neighbours = np.asarray([[1, 2], [0, 2], [0, 1]], dtype=np.int32)
    similarity = np.asarray([[0.5, 0.1], [0.5, 0.2], [0.1, 0.2]], dtype=np.float32)
    scores = collaborative.scores_from_history(
        neighbours,
        similarity,
        np.asarray([0, 1], dtype=np.int32),
        np.asarray([2.0, 1.0], dtype=np.float32),
        3,
    )
    assert scores.tolist() == pytest.approx([0.5, 1.0, 0.4])


def test_trend_log2_adds_events_and_decays_by_half_each_half_life():
    trend = trending.add_log2(None, 1.0, trending.EPOCH)
    trend = trending.add_log2(trend, 1.0, trending.EPOCH)
    assert trend == pytest.approx(1.0)  # log2(1 + 1)
    assert trending.trend_at(trend, trending.EPOCH) == pytest.approx(2.0)
    assert trending.trend_at(trend, trending.EPOCH + trending.HALF_LIFE_SECONDS) == pytest.approx(1.0)
    later = trending.add_log2(None, 1.0, trending.EPOCH + trending.HALF_LIFE_SECONDS)
    assert later == pytest.approx(trend)  # one event a half-life later weighs as two now
    assert trending.decay_weight_log2(4.0, trending.EPOCH) == pytest.approx(2.0)


def test_trend_log2_takes_an_undone_booking_away_and_never_below_nothing():
    trend = trending.add_log2(trending.add_log2(None, 1.0, trending.EPOCH), 1.0, trending.EPOCH)
    assert trending.add_log2(trend, -1.0, trending.EPOCH) == pytest.approx(0.0)  # log2(1)
    assert trending.add_log2(trend, -2.0, trending.EPOCH) == -math.inf
    assert trending.trend_at(-math.inf, trending.EPOCH) == 0.0


def test_trend_log2_stays_finite_years_after_the_epoch():
    at = trending.EPOCH + 50 * 365 * 86400
    trend = trending.add_log2(trending.add_log2(None, 1.0, at), 1.0, at)
    assert math.isfinite(trend)


def test_decay_halves_per_half_life():
    assert trending.decay(trending.HALF_LIFE_SECONDS) == pytest.approx(0.5)
    assert trending.decay(-5) == 1.0


def test_ratings_weigh_from_almost_nothing_to_double_a_booking():
    assert BOOKING_WEIGHT + rating_weight(5) == 2.0
    assert BOOKING_WEIGHT + rating_weight(1) == pytest.approx(0.2)
    assert rating_weight(4.5) == pytest.approx(0.75)
    assert stars_of(BOOKING_WEIGHT + rating_weight(5)) == 5
    assert stars_of(BOOKING_WEIGHT + rating_weight(4)) == 4
    assert stars_of(BOOKING_WEIGHT) is None
