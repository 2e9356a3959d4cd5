"""A built model on a hand-made catalogue: what it may recommend (bookable, upcoming, not booked),
how it spreads a page over mentors, the reason on each pick, cold start, mentors and demand, and
the artefact round trip."""

from __future__ import annotations

import io

import numpy as np
import pytest

from peerlearn.recommend.model import (
    BuildInput,
    Catalogue,
    Interactions,
    Learner,
    MentorProfile,
    Model,
    build,
)
from peerlearn.recommend.weights import BOOKING_WEIGHT, rating_weight

NOW = 1_800_000_000
DAY = 86_400
FIVE_STARS = BOOKING_WEIGHT + rating_weight(5)


def catalogue(rows: list[tuple[str, list[str], str, int]], **extra) -> Catalogue:
    """rows: (id, tags, mentor, starts_at)."""
    return Catalogue(
        ids=[r[0] for r in rows],
        tags=[r[1] for r in rows],
        titles=[f"Title {r[0]}" for r in rows],
        mentor_ids=[r[2] for r in rows],
        starts_at=[r[3] for r in rows],
        **extra,
    )


def bookings(
    pairs: list[tuple[str, str]], at: int = NOW - DAY, weight: float = BOOKING_WEIGHT
) -> Interactions:
    return Interactions(
        user_ids=[u for u, _ in pairs],
        item_ids=[i for _, i in pairs],
        at=[at] * len(pairs),
        weight=[weight] * len(pairs),
    )


MENTORS = [
    MentorProfile(
        "m1", "Asha Rao", ["Python", "SQL"], ["en", "hi"], "Asia/Kolkata", [13, 14, 14], 4.9, 40, 50000, 3
    ),
    MentorProfile("m2", "Ben Ode", ["Go"], ["en"], "Europe/London", [9], 3.0, 2, 200000, 1),
    MentorProfile("m3", "Chen Li", ["Drawing"], ["zh"], "Asia/Shanghai", [2], None, 0, None, 0),
]


@pytest.fixture
def model() -> Model:
    future = NOW + 7 * DAY
    items = catalogue(
        [
            ("py1", ["Python"], "m1", NOW - 30 * DAY),  # past: booked by many
            ("sql1", ["SQL"], "m1", NOW - 30 * DAY),
            ("py2", ["Python", "Testing"], "m1", future),
            ("go1", ["Go"], "m2", future),
            ("draw", ["Drawing"], "m3", future),
            ("sqlnext", ["SQL", "Databases"], "m2", future),
            ("closed", ["Python"], "m1", future),
            ("past", ["Python"], "m1", NOW - DAY),
        ],
        bookable=[False, False, True, True, True, True, False, True],
    )
    pairs = [(f"u{n}", "py1") for n in range(6)] + [(f"u{n}", "sqlnext") for n in range(4)]
    pairs += [(f"u{n}", "sql1") for n in range(4)] + [("u9", "go1"), ("u8", "go1")]
    return build(
        BuildInput(items, bookings(pairs), MENTORS, interest_counts={"Kubernetes": 7, "Python": 3}, now=NOW),
        build_id="test",
    )


def test_only_bookable_upcoming_sessions_the_learner_has_not_booked_are_recommended(model: Model):
    picks = model.recommend(Learner("x", interests=["Python"], booked={"go1"}), 10, NOW)
    ids = {p.item_id for p in picks}
    assert ids == {"py2", "draw", "sqlnext"}  # not past, closed, unbookable, booked


def test_a_session_without_a_start_time_may_be_recommended():
    items = catalogue([("a", ["x"], "m", 0), ("b", ["x"], "m", NOW - 1)])
    model = build(BuildInput(items, bookings([("u", "a"), ("u", "b")])), build_id="t")
    assert [p.item_id for p in model.recommend(Learner(None), 5, NOW)] == ["a"]


def test_a_new_learner_sees_what_they_follow_first_with_the_interest_named(model: Model):
    first = model.recommend(Learner("x", interests=["python"]), 3, NOW)[0]
    assert first.item_id == "py2"
    assert first.reason.kind == "interest"
    assert first.reason.text == "Because you follow Python"


def test_a_learner_with_nothing_gets_trending_first_with_its_reason(model: Model):
    picks = model.recommend(Learner(None), 3, NOW)
    assert picks[0].item_id == "sqlnext"  # most booked upcoming session
    assert picks[0].reason.text == "Popular with learners"


def test_collaborative_reason_names_the_session_the_learner_booked(model: Model):
    # the learners who booked sql1 all booked sqlnext
    learner = Learner("x", history=[("sql1", BOOKING_WEIGHT, NOW - 20 * DAY)] * 1, booked={"sql1"})
    picks = model.recommend(learner, 3, NOW)
    assert picks[0].item_id == "sqlnext"
    assert picks[0].reason.kind == "co_booked"
    assert picks[0].reason.text == "Learners who booked Title sql1 also booked this"


def test_a_mentor_rated_five_stars_brings_their_new_session_with_that_reason():
    items = catalogue([("old", ["Pottery"], "m1", NOW - 9 * DAY), ("new", ["Glaze"], "m1", NOW + DAY)])
    items.bookable = [False, True]
    items.ids += ["other"]
    items.tags += [["Knitting"]]
    items.titles += ["Other"]
    items.mentor_ids += ["m2"]
    items.starts_at += [NOW + DAY]
    items.bookable += [True]
    events = bookings([("a", "old"), ("b", "other"), ("c", "other")])
    model = build(BuildInput(items, events, MENTORS), build_id="t")
    learner = Learner("x", history=[("old", FIVE_STARS, NOW - 8 * DAY)], booked={"old"})
    first = model.recommend(learner, 2, NOW)[0]
    assert first.item_id == "new"  # nobody booked it yet; the learner loved its mentor
    assert first.reason.kind == "mentor"
    assert first.reason.text == "From Asha Rao, whose session you rated 5 stars"


def test_blend_leans_on_collaborative_filtering_as_history_grows():
    weights = [Model.blend_weights(h) for h in (0, 1, 5, 50)]
    assert weights[0]["co_booked"] == 0.0
    assert weights[0]["interest"] > weights[0]["co_booked"]
    cf = [w["co_booked"] for w in weights]
    trend = [w["trending"] for w in weights]
    assert cf == sorted(cf)
    assert trend == sorted(trend, reverse=True)


def test_a_page_of_ten_has_at_most_two_sessions_of_one_mentor():
    rows = [(f"a{n}", ["x"], "busy", NOW + DAY) for n in range(8)]
    rows += [(f"b{n}", ["x"], f"m{n}", NOW + DAY) for n in range(9)]
    # the busy mentor's sessions are the most popular
    pairs = [(f"u{n}-{k}", f"a{n}") for n in range(8) for k in range(20)]
    pairs += [(f"v{n}", f"b{n}") for n in range(9)]
    model = build(BuildInput(catalogue(rows), bookings(pairs)), build_id="t")
    first_page = [p.item_id for p in model.trending(10, NOW)]
    assert len(first_page) == 10
    assert sum(i.startswith("a") for i in first_page) == 2
    assert first_page[:2] == ["a0", "a1"]  # the best two of the busy mentor still lead
    second_page = [p.item_id for p in model.trending(20, NOW)][10:]
    # a2 and a3 wait for nobody; b8 is the last other mentor; then the cap gives way, in rank order
    assert second_page == ["a2", "a3", "b8", "a4", "a5", "a6", "a7"]


def test_similar_sessions_of_a_new_session_come_from_its_tags_and_its_mentor(model: Model):
    picks = model.similar("py2", 3, NOW)
    assert picks, "a session nobody booked still has similar sessions"
    assert "py2" not in {p.item_id for p in picks}
    assert picks[0].item_id in {"sqlnext", "go1", "draw"}
    unknown = model.similar("nope", 3, NOW)
    assert unknown == []


def test_similar_sessions_prefer_the_ones_booked_by_the_same_learners():
    items = catalogue(
        [("a", ["x"], "m1", NOW + DAY), ("b", ["y"], "m2", NOW + DAY), ("c", ["x"], "m3", NOW + DAY)]
    )
    pairs = [(f"u{n}", i) for n in range(5) for i in ("a", "b")] + [("w", "c")]
    model = build(BuildInput(items, bookings(pairs)), build_id="t")
    first = model.similar("a", 2, NOW)[0]
    assert first.item_id == "b"
    assert first.reason.text == "Learners who booked Title a also booked this"


def test_mentors_for_a_learner_rank_expertise_and_language_and_say_why(model: Model):
    learner = Learner("x", interests=["python"], languages=["hi"], timezone="Asia/Kolkata")
    picks = model.mentors_for(learner, 3)
    assert next(p.mentor_id for p in picks) == "m1"
    assert picks[0].reasons[0] == "Teaches Python"
    assert "Speaks hi" in picks[0].reasons
    assert picks[0].score > picks[1].score > 0
    assert any(r.startswith("Rated 4.9") for r in picks[0].reasons)


def test_mentor_rating_is_a_bayesian_average():
    # Ben has a 3.0 from 2 ratings, pulled towards the weighted mean of all ratings
    model = build(BuildInput(catalogue([("a", ["Go"], "m2", 0)]), bookings([]), MENTORS), build_id="t")
    mean = (4.9 * 40 + 3.0 * 2) / 42
    position = model.mentors.ids.index("m2")
    assert float(model.mentors.bayes[position]) == pytest.approx((5 * mean + 3.0 * 2) / 7, rel=1e-5)


def test_demand_counts_followers_against_open_sessions_and_names_a_near_tag_nobody_teaches():
    items = catalogue(
        [
            ("a", ["Python"], "m1", NOW + DAY),
            ("b", ["Python", "Kubernetes"], "m1", NOW - 9 * DAY),  # past: supply no more
        ],
        seats_left=[4, 0],
    )
    model = build(
        BuildInput(items, bookings([]), MENTORS, {"python": 10, "kubernetes": 42}, {"Python": 3}, now=NOW),
        build_id="t",
    )
    demand = model.demand_for(["Python"], 5)
    assert [d.tag for d in demand] == ["Kubernetes", "Python"]
    kubernetes, python = demand
    assert (kubernetes.learners, kubernetes.open_sessions) == (42, 0)
    assert kubernetes.text == "42 learners follow Kubernetes; no upcoming session teaches it"
    assert (python.learners, python.waitlisted, python.open_sessions, python.seats_left) == (10, 3, 1, 4)
    assert python.text == "10 learners follow Python and 3 waited for a seat; 1 upcoming session teaches it"


def test_the_artefact_round_trips_and_answers_the_same(model: Model):
    loaded = Model.from_bytes(model.to_bytes())
    learner = Learner("x", interests=["sql"], history=[("py1", FIVE_STARS, NOW - DAY)], booked={"py1"})
    assert loaded.recommend(learner, 5, NOW) == model.recommend(learner, 5, NOW)
    assert loaded.build_id == "test"
    assert loaded.built_at == NOW
    assert loaded.has_item("py2")
    assert not loaded.has_item("nope")


def test_loading_an_artefact_never_unpickles(model: Model):
    arrays = dict(model.arrays)
    arrays["titles"] = np.asarray([object()] * len(model.item_ids), dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        Model.from_bytes(buffer.getvalue())


def test_an_empty_build_answers_with_nothing():
    model = build(BuildInput(Catalogue(ids=[], tags=[]), bookings([])), build_id="empty")
    assert model.recommend(Learner("x", interests=["python"]), 5, NOW) == []
    assert model.trending(5, NOW) == []
    assert model.mentors_for(Learner("x"), 5) == []
    assert Model.from_bytes(model.to_bytes()).build_id == "empty"


def test_reasons_down_a_page_name_different_sessions_the_learner_booked():
    rows = [("h1", ["x"], "m1", NOW - 9 * DAY), ("h2", ["y"], "m2", NOW - 9 * DAY)]
    rows += [(f"c{n}", [f"t{n}"], f"m{n + 3}", NOW + DAY) for n in range(4)]
    pairs = [(f"u{n}", i) for n in range(6) for i in ("h1", "h2", "c0", "c1", "c2", "c3")]
    model = build(BuildInput(catalogue(rows), bookings(pairs)), build_id="t")
    history = [("h1", BOOKING_WEIGHT, NOW - 9 * DAY), ("h2", BOOKING_WEIGHT, NOW - 9 * DAY)]
    picks = model.recommend(Learner("x", history=history, booked={"h1", "h2"}), 4, NOW)
    assert {p.reason.kind for p in picks} == {"co_booked"}
    assert {p.reason.about for p in picks} == {"h1", "h2"}


def test_a_new_session_like_one_the_learner_booked_says_so():
    rows = [("h", ["Rust", "Wasm"], "m1", NOW - 9 * DAY), ("c", ["Rust"], "m2", NOW + DAY)]
    rows += [("p", ["Cooking"], "m3", NOW + DAY)]
    pairs = [(f"u{n}", "h") for n in range(3)] + [(f"v{n}", "p") for n in range(5)]
    model = build(BuildInput(catalogue(rows), bookings(pairs)), build_id="t")
    picks = model.recommend(
        Learner("x", history=[("h", BOOKING_WEIGHT, NOW - 9 * DAY)], booked={"h"}), 2, NOW
    )
    reasons = {p.item_id: p.reason for p in picks}
    assert reasons["c"].kind == "similar"
    assert reasons["c"].text == "Like Title h, which you booked"
    assert reasons["p"].kind == "trending"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "missing array"])
def test_a_damaged_artefact_is_refused_with_a_value_error(model: Model, damage: str):
    data = model.to_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = b"not a model"
    else:
        arrays = dict(model.arrays)
        del arrays["neighbours"]
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
    with pytest.raises(ValueError, match="not a recommendation model artefact"):
        Model.from_bytes(data)


def test_a_new_session_of_an_unrated_mentor_is_not_called_popular():
    items = catalogue([("s1", ["Rust"], "m1", NOW + DAY), ("s2", ["Rust"], "m1", NOW + DAY)])
    items.ids += ["s3"]
    items.tags += [["Go"]]
    items.titles += ["Title s3"]
    items.mentor_ids += ["m9"]  # no profile, no rating
    items.starts_at += [NOW + DAY]
    model = build(BuildInput(items, bookings([("u", "s1")]), MENTORS[:1], now=NOW), build_id="t")
    reasons = {p.item_id: p.reason for p in model.recommend(Learner("x", interests=["rust"]), 5, NOW)}
    assert reasons["s3"].kind == "new"
    assert reasons["s3"].text == "New on PeerLearn"
    assert all(r.kind != "trending" for i, r in reasons.items() if i != "s1")


def test_a_learner_who_speaks_hindi_gets_the_hindi_session_first():
    items = catalogue(
        [("en", ["x"], "m1", NOW + DAY), ("hi", ["x"], "m2", NOW + DAY)], languages=["en", "hi"]
    )
    model = build(BuildInput(items, bookings([]), now=NOW), build_id="t")
    picks = model.recommend(Learner("x", interests=["x"], languages=["hi"]), 2, NOW)
    assert [p.item_id for p in picks] == ["hi", "en"]
    assert picks[0].reason.text == "Because you follow x"  # a language is never "followed"
    english = model.recommend(Learner("x", interests=["x"], languages=["en"]), 2, NOW)
    assert [p.item_id for p in english] == ["en", "hi"]


def test_demand_leaves_out_tags_nobody_follows_or_waits_for():
    items = catalogue([("a", ["Rust"], "m1", NOW + DAY), ("b", ["Rust"], "m1", NOW + DAY)])
    model = build(
        BuildInput(items, bookings([]), MENTORS, {"c++": 4}, {}, now=NOW),
        build_id="t",
    )
    assert model.demand_for(["Rust", "Haskell"], 5) == []
    wanted = model.demand_for(["  C++ ", "Rust"], 5)
    assert [(d.tag, d.learners) for d in wanted] == [("C++", 4)]  # the mentor's spelling, not "c++"


def crowded() -> Model:
    """Ten popular sessions in English (many bookings, shared tags among them) and four new ones on a
    topic nobody booked yet, in English too: three from one mentor, one from another who also teaches
    a popular session."""
    rows = [(f"pop{n}", ["Python", f"t{n % 3}"], f"p{n}", NOW + DAY) for n in range(10)]
    rows += [(f"zig{n}", ["Zig", "Systems"] if n < 2 else ["Zig"], "z1", NOW + 2 * DAY) for n in range(3)]
    rows += [("zig3", ["Zig", "Testing"], "p0", NOW + 2 * DAY)]
    items = catalogue(rows, languages=["en"] * len(rows), levels=["beginner"] * len(rows))
    pairs = [(f"u{n}-{k}", f"pop{n}") for n in range(10) for k in range(10 + n)]
    pairs += [(f"u{n}-0", f"pop{(n + 1) % 10}") for n in range(10)]  # some co-booking among them
    return build(BuildInput(items, bookings(pairs), now=NOW), build_id="crowded")


ZIG = {"zig0", "zig1", "zig2", "zig3"}


def test_a_new_learner_sees_their_topic_ahead_of_popular_sessions_in_their_language():
    model = crowded()
    learner = Learner("x", interests=["Zig"], languages=["en"])
    picks = model.recommend(learner, 10, NOW)
    first = [p.item_id for p in picks[:3]]
    # at most two of one mentor's in a page: z1's third waits, p0's Zig session comes in
    assert set(first) <= ZIG, [p.item_id for p in picks]
    assert "zig3" in first
    assert all(p.reason.text == "Because you follow Zig" for p in picks[:3])


def test_speaking_a_language_alone_is_not_an_interest():
    model = crowded()
    picks = model.recommend(Learner("x", languages=["en"]), 3, NOW)
    assert {p.reason.kind for p in picks} == {"trending"}  # popular, not "because you follow"
    assert picks[0].item_id == "pop9"  # the most booked


def test_similar_sessions_of_a_new_session_in_a_crowded_catalogue_share_its_topic():
    model = crowded()
    picks = model.similar("zig0", 3, NOW)
    assert {p.item_id for p in picks} == {"zig1", "zig2", "zig3"}
    assert picks[0].item_id == "zig1"  # shares both tags
    # nobody booked it: never "learners who booked ... also booked"
    assert {p.reason.kind for p in picks} <= {"similar", "mentor"}


def test_similar_sessions_lean_on_co_booking_only_as_bookings_grow():
    rows = [("a", ["x"], "m1", NOW + DAY), ("b", ["y"], "m2", NOW + DAY), ("c", ["x"], "m3", NOW + DAY)]
    few = build(BuildInput(catalogue(rows), bookings([("u", "a"), ("u", "b")])), build_id="t")
    assert few.similar("a", 1, NOW)[0].item_id == "c"  # one learner's pair says less than the tag
    pairs = [(f"u{n}", i) for n in range(6) for i in ("a", "b")]
    many = build(BuildInput(catalogue(rows), bookings(pairs)), build_id="t")
    assert many.similar("a", 1, NOW)[0].item_id == "b"
