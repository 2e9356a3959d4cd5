"""The build reads the table into the engine's inputs (sessions, counted bookings and ratings, mentors,
demand) and publishes a model the recommendations function can load."""

from __future__ import annotations

from pathlib import Path

from peerlearn import clock, timeutil
from peerlearn.accounts.registration import create_account
from peerlearn.bookings import cancelling, seats
from peerlearn.bookings.seats import Booker
from peerlearn.context import Context
from peerlearn.recommend import artefacts
from peerlearn.recommend.artefacts import DirectoryArtefacts, ModelCache
from peerlearn.recommend.build import build_input, read_table, rebuild, scan_items
from peerlearn.recommend.model import Learner
from peerlearn.recommend.weights import rating_weight
from peerlearn.store.keys import mentor_reviews_pk, review_sk, session_pk
from peerlearn.store.models import ReviewItem, WaitlistItem
from tests.unit.sessions_support import CLIENT, PASSWORD, person, publish


def learner(name: str, interests: list[str]) -> Booker:
    user_id = create_account(
        name=name,
        email=f"{name.lower()}@example.com",
        password=PASSWORD,
        role="learner",
        verified=True,
        interests=interests,
    )
    return Booker(user_id=user_id, name=name, role="learner", email_verified=True)


def test_the_build_input_holds_what_the_table_says(ctx: Context) -> None:
    mentor = person("mentor", name="Asha Rao")
    python = publish(ctx, mentor, capacity=3, tags=["Python", "Django"], title="Django from zero")
    kube = publish(ctx, mentor, capacity=1, tags=["Kubernetes"], title="Kubernetes basics")
    meera, ravi = learner("Meera", ["Python", "Go"]), learner("Ravi", ["Python"])
    seats.book(booker=meera, session_id=python, client=CLIENT)
    seats.book(booker=ravi, session_id=python, client=CLIENT)
    cancelling.cancel_by_learner(user_id=ravi.user_id, session_id=python, cutoff_hours=0)
    seats.book(booker=meera, session_id=kube, client=CLIENT)  # the only seat: kube is full
    WaitlistItem(session_pk(kube), f"WAITLIST#{ravi.user_id}", learner_id=ravi.user_id, joined_at="1").save()
    ReviewItem(
        session_pk(python),
        review_sk(meera.user_id),
        session_id=python,
        session_title="Django from zero",
        mentor_id=mentor.user_id,
        learner_id=meera.user_id,
        learner_name="Meera",
        rating=5,
        created_at=timeutil.now_iso(),
        gsi2pk=mentor_reviews_pk(mentor.user_id),
        gsi2sk="x",
    ).save()

    data = build_input(read_table(scan_items(), clock.now_seconds()), clock.now_seconds())

    catalogue = data.catalogue
    assert sorted(catalogue.ids) == sorted([python, kube])
    row = catalogue.ids.index(python)
    assert catalogue.tags[row] == ["Python", "Django"]
    assert catalogue.titles[row] == "Django from zero"
    assert catalogue.mentor_ids[row] == mentor.user_id
    assert catalogue.bookable == [i == python for i in catalogue.ids]  # kube has no seat left
    counted = sorted(
        zip(
            data.interactions.user_ids,
            data.interactions.item_ids,
            data.interactions.kind,
            data.interactions.weight,
            strict=True,
        )
    )
    assert counted == sorted(
        [
            (meera.user_id, python, "booking", 1.0),
            (meera.user_id, kube, "booking", 1.0),
            (meera.user_id, python, "rating", rating_weight(5)),
        ]
    )  # Ravi's cancelled booking does not count
    assert data.interest_counts == {"Python": 2, "Go": 1}
    assert data.waitlist_counts == {"Kubernetes": 1}
    [profile] = data.mentors
    assert (profile.id, profile.name, profile.expertise) == (mentor.user_id, "Asha Rao", ["Python"])
    assert len(profile.usual_hours_utc) == 2


def test_a_rebuild_publishes_a_model_that_recommends_from_the_table(ctx: Context, tmp_path: Path) -> None:
    mentor = person("mentor")
    python = publish(ctx, mentor, capacity=3, tags=["Python"], title="Python for data")
    publish(ctx, mentor, capacity=3, tags=["Pottery"], title="Throwing pots")
    store = DirectoryArtefacts(tmp_path)

    pointer = rebuild(store)

    assert artefacts.latest(store) == pointer
    assert (tmp_path / pointer.key).stat().st_size == pointer.bytes
    model = ModelCache(store).get()
    assert model is not None
    picks = model.recommend(Learner(user_id="new", interests=["Python"]), 1, clock.now_seconds())
    assert [p.item_id for p in picks] == [python]
    assert picks[0].reason.kind == "interest"


def _booking(n: int, status: str, session_starts_at: str) -> dict[str, dict[str, str]]:
    return {
        "pk": {"S": f"SESSION#OLD{n}"},
        "sk": {"S": f"BOOKING#L{n}"},
        "entity": {"S": "BOOKING"},
        "session_id": {"S": f"OLD{n}"},
        "learner_id": {"S": f"L{n}"},
        "status": {"S": status},
        "session_starts_at": {"S": session_starts_at},
        "created_at": {"S": session_starts_at},
    }


def test_the_build_keeps_no_uncounted_or_old_booking() -> None:
    now = 1_796_000_000
    long_ago = timeutil.iso_from_epoch(now - 400 * 86400)
    recent = timeutil.iso_from_epoch(now - 10 * 86400)
    items = [_booking(n, "cancelled", long_ago) for n in range(1000)]
    items += [_booking(1000 + n, "confirmed", long_ago) for n in range(10)]  # counted, but outside the window
    items += [_booking(2000, "cancelled", recent), _booking(2001, "confirmed", recent)]

    read = read_table(iter(items), now)

    assert read.bookings == [("L2001", "OLD2001", now - 10 * 86400)]
