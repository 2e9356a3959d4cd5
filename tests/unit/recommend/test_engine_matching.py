"""Mentor matching on hand-made mentors who differ in one thing only: the hours they teach at
(against the learner's evening in their own zone, to the half hour), the levels they teach, their
prices."""

from __future__ import annotations

from peerlearn.recommend import matching
from peerlearn.recommend.model import BuildInput, Catalogue, Interactions, Learner, MentorProfile, build

NOW = 1_800_000_000  # 2027-01-15: winter in New York (UTC-5)
DAY = 86_400
MIDNIGHT = NOW - NOW % DAY + 30 * DAY  # a UTC midnight a month ahead


def mentor(mentor_id: str, price: int | None = 50_000) -> MentorProfile:
    return MentorProfile(mentor_id, mentor_id.upper(), ["Python"], ["en"], "UTC", [], 4.5, 10, price, 1)


def model_of(rows: list[tuple[str, str, int, str | None, int]]):
    """rows: (item id, mentor, starts_at, level, price)."""
    items = Catalogue(
        ids=[r[0] for r in rows],
        tags=[["Python"] for _ in rows],
        mentor_ids=[r[1] for r in rows],
        starts_at=[r[2] for r in rows],
        levels=[r[3] for r in rows],
        price_paise=[r[4] for r in rows],
    )
    mentors = [mentor(m) for m in dict.fromkeys(r[1] for r in rows)]
    none = Interactions([], [], [], [])
    return build(BuildInput(items, none, mentors, now=NOW), build_id="t")


def order(model, learner: Learner) -> list[str]:
    return [p.mentor_id for p in model.mentors_for(learner, 5)]


def test_a_kolkata_evening_is_reckoned_to_the_half_hour():
    # 18:00-23:00 IST is 12:30-17:30 UTC: buckets 25..34
    assert matching.evening_buckets_utc("Asia/Kolkata", NOW) == list(range(25, 35))
    assert matching.evening_buckets_utc("America/New_York", NOW) == [*range(0, 8), 46, 47]
    assert matching.evening_buckets_utc(None, NOW) == []
    assert matching.evening_buckets_utc("Not/AZone", NOW) == []


def test_kolkata_and_new_york_learners_prefer_the_mentor_teaching_in_their_evening():
    model = model_of(
        [
            ("a", "early", MIDNIGHT + 13 * 3600 + 1800, None, 0),  # 13:30 UTC = 19:00 IST, 08:30 EST
            ("b", "late", MIDNIGHT + 23 * 3600, None, 0),  # 23:00 UTC = 04:30 IST, 18:00 EST
        ]
    )
    kolkata = model.mentors_for(Learner("k", interests=["python"], timezone="Asia/Kolkata"), 2)
    assert [p.mentor_id for p in kolkata] == ["early", "late"]
    assert "Teaches in your evenings" in kolkata[0].reasons
    assert order(model, Learner("n", interests=["python"], timezone="America/New_York")) == ["late", "early"]


def test_a_session_at_half_past_five_in_kolkata_is_not_an_evening_one():
    model = model_of(
        [
            ("a", "teatime", MIDNIGHT + 12 * 3600, None, 0),  # 12:00 UTC = 17:30 IST
            ("b", "night", MIDNIGHT + 17 * 3600, None, 0),  # 17:00 UTC = 22:30 IST
        ]
    )
    assert order(model, Learner("k", interests=["python"], timezone="Asia/Kolkata")) == ["night", "teatime"]


def test_a_learner_is_matched_with_the_mentor_teaching_at_their_level():
    start = MIDNIGHT + 10 * 3600
    model = model_of(
        [
            ("old", "other", NOW - 9 * DAY, "beginner", 0),  # what the learner booked
            ("x", "advanced", start, "advanced", 0),
            ("y", "gentle", start, "beginner", 0),
        ]
    )
    learner = Learner("l", interests=["python"], history=[("old", 1.0, NOW - 9 * DAY)])
    picks = model.mentors_for(learner, 3)
    ranked = [p.mentor_id for p in picks]
    assert ranked.index("gentle") < ranked.index("advanced")
    gentle = next(p for p in picks if p.mentor_id == "gentle")
    assert "Teaches at your level" in gentle.reasons
    position = model.mentors.ids.index("gentle")
    assert model.mentors.level_share[position].max() == 1.0


def test_a_learner_is_matched_with_the_mentor_priced_like_what_they_book():
    start = MIDNIGHT + 10 * 3600
    items = Catalogue(
        ids=["old", "x", "y"],
        tags=[["Python"]] * 3,
        mentor_ids=["other", "dear", "fair"],
        starts_at=[NOW - 9 * DAY, start, start],
        price_paise=[40_000, 400_000, 45_000],
    )
    mentors = [mentor("other", 40_000), mentor("dear", 400_000), mentor("fair", 45_000)]
    model = build(BuildInput(items, Interactions([], [], [], []), mentors, now=NOW), build_id="t")
    learner = Learner("l", interests=["python"], history=[("old", 1.0, NOW - 9 * DAY)])
    picks = model.mentors_for(learner, 3)
    ranked = [p.mentor_id for p in picks]
    assert ranked.index("fair") < ranked.index("dear")
    fair = next(p for p in picks if p.mentor_id == "fair")
    dear = next(p for p in picks if p.mentor_id == "dear")
    assert "Priced like the sessions you book" in fair.reasons
    assert "Priced like the sessions you book" not in dear.reasons
