"""/api/recommendations/* through the recommendations function: who may ask, bad input answered 400
(never 500), the answers before any build, and after one (each pick live, with its reason)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from peerlearn import ratelimit
from peerlearn.accounts import service as accounts
from peerlearn.accounts.registration import create_account
from peerlearn.bookings import seats
from peerlearn.bookings.seats import Booker
from peerlearn.context import Context
from peerlearn.recommend import fallback, serving, signals
from peerlearn.recommend.artefacts import DirectoryArtefacts
from peerlearn.recommend.build import rebuild
from tests.support import Reply, call, load_function, rest_event
from tests.unit.sessions_support import CLIENT, PASSWORD, person, publish, who
from tests.unit.stream_support import Stream


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "models"
    monkeypatch.setenv("MODELS_DIR", str(directory))
    return directory


@pytest.fixture
def recs(ctx: Context, models_dir: Path) -> ModuleType:
    return load_function("recommendations")


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


def get(recs: ModuleType, path: str, who_: dict[str, Any] | None = None, **query: str) -> Reply:
    event = rest_event("GET", path, identity=who_)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return call(recs, event)


def get_similar(recs: ModuleType, session_id: str, **query: str) -> Reply:
    event = rest_event(
        "GET",
        f"/api/recommendations/sessions/{session_id}/similar",
        resource="/api/recommendations/sessions/{id}/similar",
        path_parameters={"id": session_id},
    )
    event["queryStringParameters"] = query or None
    return call(recs, event)


def titles(reply: Reply) -> list[str]:
    return [item["session"]["title"] for item in reply.body["items"]]


# ---------------------------------------------------------------- who may ask
def test_for_you_mentors_demand_and_views_need_a_sign_in_trending_and_similar_do_not(
    recs: ModuleType,
) -> None:
    for path in (
        "/api/recommendations/sessions",
        "/api/recommendations/mentors",
        "/api/recommendations/demand",
    ):
        assert get(recs, path).status == 401, path
    assert call(recs, rest_event("POST", "/api/recommendations/views", {"session_id": "x"})).status == 401
    assert get(recs, "/api/recommendations/trending").status == 200


def test_demand_is_for_mentors_only(recs: ModuleType) -> None:
    reply = get(recs, "/api/recommendations/demand", who(person()))
    assert reply.status == 403
    assert reply.body["error"]["code"] == "forbidden"
    assert get(recs, "/api/recommendations/demand", who(person("mentor"))).body == {
        "items": [],
        "built_at": None,
        "build_id": None,
    }


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "51"},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJwIjogLTF9"},
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_with_the_field(recs: ModuleType, query: dict[str, str]) -> None:
    for path in (
        "/api/recommendations/sessions",
        "/api/recommendations/trending",
        "/api/recommendations/mentors",
    ):
        reply = get(recs, path, who(person()), **query)
        assert reply.status == 400, (path, reply)
        assert reply.body["error"]["field"] == next(iter(query))


def test_similar_to_an_unknown_session_is_a_404(recs: ModuleType) -> None:
    assert get_similar(recs, "01JUNKNOWN0000000000000000").status == 404
    assert get_similar(recs, "no such id!").status in (400, 404)


def test_views_count_once_a_day_and_refuse_bad_input(recs: ModuleType, ctx: Context) -> None:
    viewer = who(person())
    session_id = publish(ctx, person("mentor"))

    def view(body: Any) -> Reply:
        return call(recs, rest_event("POST", "/api/recommendations/views", body, identity=viewer))

    assert view({"session_id": session_id}).body == {"counted": True}
    assert view({"session_id": session_id}).body == {"counted": False}
    assert view({}).status == 400
    assert view({"session_id": "../etc"}).status == 400
    assert view({"session_id": "01JUNKNOWN0000000000000000"}).status == 404


def test_views_are_rate_limited(recs: ModuleType, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        serving, "VIEWS_PER_LEARNER", ratelimit.Limit("rec-views", max_hits=2, window_seconds=3600)
    )
    viewer = who(person())
    session_id = publish(ctx, person("mentor"))
    replies = [
        call(
            recs,
            rest_event("POST", "/api/recommendations/views", {"session_id": session_id}, identity=viewer),
        )
        for _ in range(3)
    ]
    assert [r.status for r in replies] == [200, 200, 429]
    assert replies[2].headers["Retry-After"]


# ---------------------------------------------------------------- before any build
def test_before_any_build_for_you_follows_interests_and_every_list_answers(
    recs: ModuleType, ctx: Context
) -> None:
    mentor = person("mentor")
    publish(ctx, mentor, tags=["Python"], title="Python for data")
    publish(ctx, mentor, tags=["Pottery"], title="Throwing pots")
    meera = who(learner("Meera", ["python"]))

    mine = get(recs, "/api/recommendations/sessions", meera)

    assert mine.status == 200
    assert titles(mine) == ["Python for data"]
    assert mine.body["items"][0]["reason"] == {"kind": "interest", "text": "Because you follow Python"}
    assert mine.body["built_at"] is None
    assert get(recs, "/api/recommendations/sessions/", meera).status == 200  # one trailing slash
    assert get(recs, "/api/recommendations/trending").body == {
        "items": [],
        "next_cursor": None,
        "built_at": None,
        "build_id": None,
    }
    assert get(recs, "/api/recommendations/mentors", meera).body == {
        "items": [],
        "next_cursor": None,
        "built_at": None,
        "build_id": None,
    }


# ---------------------------------------------------------------- after a build
def test_after_a_build_picks_are_live_reasoned_and_paged(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentors = [person("mentor", name=f"Mentor {n}") for n in range(3)]
    for n in range(12):
        publish(ctx, mentors[n % 3], tags=["Python", f"Topic {n}"], title=f"Python {n}", capacity=3)
    meera = who(learner("Meera", ["Python"]))
    rebuild(DirectoryArtefacts(models_dir))

    first = get(recs, "/api/recommendations/sessions", meera, limit="5")
    second = get(recs, "/api/recommendations/sessions", meera, limit="5", cursor=first.body["next_cursor"])

    assert first.status == second.status == 200
    assert first.body["built_at"] is not None
    assert len(first.body["items"]) == len(second.body["items"]) == 5
    assert not set(titles(first)) & set(titles(second))
    assert all(item["reason"]["text"] for item in first.body["items"])
    mentors_in_first = [item["session"]["mentor"]["id"] for item in first.body["items"]]
    assert max(mentors_in_first.count(m) for m in set(mentors_in_first)) <= 2


def test_a_booked_session_leaves_for_you_and_joins_trending_without_a_rebuild(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentor = person("mentor")
    wanted = publish(ctx, mentor, tags=["Python"], title="Python for data", capacity=3)
    publish(ctx, mentor, tags=["Python", "Django"], title="Django from zero", capacity=3)
    ravi = learner("Ravi", ["Python"])
    rebuild(DirectoryArtefacts(models_dir))
    stream = Stream(ctx)
    before = titles(get(recs, "/api/recommendations/sessions", who(ravi)))
    assert "Python for data" in before

    seats.book(booker=ravi, session_id=wanted, client=CLIENT)
    stream.flush()

    after = titles(get(recs, "/api/recommendations/sessions", who(ravi)))
    assert "Python for data" not in after
    hot = get(recs, "/api/recommendations/trending")
    assert titles(hot) == ["Python for data"]
    assert hot.body["items"][0]["reason"]["kind"] == "trending"


def test_similar_sessions_come_from_the_model_once_built(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentor = person("mentor")
    django = publish(ctx, mentor, tags=["Python", "Django"], title="Django from zero")
    publish(ctx, mentor, tags=["Python", "Django"], title="Django REST")
    publish(ctx, mentor, tags=["Pottery"], title="Throwing pots")
    rebuild(DirectoryArtefacts(models_dir))

    reply = get_similar(recs, django)

    assert reply.status == 200
    assert titles(reply)[0] == "Django REST"
    assert "Django from zero" not in titles(reply)
    assert reply.body["built_at"] is not None


def test_a_session_published_after_the_build_is_similar_to_one_on_its_tags(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentor = person("mentor")
    django = publish(ctx, mentor, tags=["Django"], title="Django from zero")
    for n in range(3):
        publish(ctx, person("mentor"), tags=["Pottery"], title=f"Throwing pots {n}")
    rebuild(DirectoryArtefacts(models_dir))
    stream = Stream(ctx)

    publish(ctx, person("mentor"), tags=["Django", "APIs"], title="Django REST")
    stream.flush()

    reply = get_similar(recs, django)
    assert titles(reply)[0] == "Django REST"
    assert reply.body["items"][0]["reason"] == {"kind": "similar", "text": "Also about Django"}


def test_a_session_published_after_the_build_reaches_learners_who_follow_its_tags(
    recs: ModuleType, ctx: Context, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given open sessions that start sooner than the new one, more than the open-sessions scan reads
    # (10,000 open sessions against 200, made small)
    monkeypatch.setattr(fallback, "OPEN_SCAN", 3)
    mentor = person("mentor")
    for n in range(4):
        publish(ctx, mentor, tags=["Python"], title=f"Python {n}")
    meera = who(learner("Meera", ["Rust"]))
    rebuild(DirectoryArtefacts(models_dir))
    stream = Stream(ctx)
    assert "Rust from scratch" not in titles(get(recs, "/api/recommendations/sessions", meera))

    # When a session on her interest is published after the build, starting in three weeks
    publish(ctx, person("mentor"), tags=["Rust"], title="Rust from scratch", hours=21 * 24)
    stream.flush()

    # Then For you has it, for the reason she follows
    reply = get(recs, "/api/recommendations/sessions", meera)
    assert "Rust from scratch" in titles(reply)
    [pick] = [i for i in reply.body["items"] if i["session"]["title"] == "Rust from scratch"]
    assert pick["reason"] == {"kind": "interest", "text": "Because you follow Rust"}


class BrokenModel:
    """A model whose every answer fails (a bad build that loaded)."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"{name} is broken")

        return fail


def test_a_model_that_fails_never_makes_a_5xx(
    recs: ModuleType, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, tags=["Python"], title="Python for data")
    meera = who(learner("Meera", ["Python"]))
    monkeypatch.setattr(recs.cache, "get", lambda: BrokenModel())

    mine = get(recs, "/api/recommendations/sessions", meera)
    assert mine.status == 200
    assert titles(mine) == ["Python for data"]  # from the interests, as before any build
    assert get_similar(recs, session_id).status == 200
    assert get(recs, "/api/recommendations/trending").status == 200
    assert get(recs, "/api/recommendations/mentors", meera).body["items"] == []
    assert get(recs, "/api/recommendations/demand", who(mentor)).body["items"] == []


def test_a_learner_the_stream_kept_no_taste_for_is_known_by_their_bookings(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    # Bookings made before recommendations began (no stream here: no TASTE item is written)
    mentor = person("mentor")
    booked = publish(ctx, mentor, tags=["Python"], title="Python for data", capacity=3)
    publish(ctx, mentor, tags=["Python"], title="Python testing", capacity=3)
    ravi = learner("Ravi", ["Python"])
    seats.book(booker=ravi, session_id=booked, client=CLIENT)
    rebuild(DirectoryArtefacts(models_dir))

    assert titles(get(recs, "/api/recommendations/sessions", who(ravi))) == ["Python testing"]


def test_trending_falls_back_to_the_model_while_the_live_index_is_empty(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    # Bookings the build counted, but no stream here: nothing on the TRENDING index
    mentor = person("mentor")
    popular = publish(ctx, mentor, tags=["Python"], title="Python for data", capacity=5)
    publish(ctx, mentor, tags=["Pottery"], title="Throwing pots", capacity=5)
    for n in range(3):
        seats.book(booker=learner(f"L{n}", []), session_id=popular, client=CLIENT)
    rebuild(DirectoryArtefacts(models_dir))

    reply = get(recs, "/api/recommendations/trending")

    assert titles(reply)[0] == "Python for data"
    assert reply.body["built_at"] is not None


def test_public_lists_leave_out_a_signed_in_viewers_own_bookings(recs: ModuleType, ctx: Context) -> None:
    from peerlearn.accounts import service as accounts

    mentor = person("mentor")
    page = publish(ctx, mentor, tags=["Python", "Django"], title="Django from zero", capacity=3)
    other = publish(ctx, mentor, tags=["Python", "Django"], title="Django REST", capacity=3)
    publish(ctx, mentor, tags=["Python", "Django"], title="Django admin", capacity=3)
    ravi = learner("Ravi", [])
    seats.book(booker=ravi, session_id=other, client=CLIENT)
    token = accounts.sign_in_without_password(ctx, ravi.user_id).access_token

    def similar_as(authorization: str | None) -> list[str]:
        event = rest_event(
            "GET",
            f"/api/recommendations/sessions/{page}/similar",
            resource="/api/recommendations/sessions/{id}/similar",
            path_parameters={"id": page},
            headers={"Authorization": authorization} if authorization else None,
        )
        reply = call(recs, event)
        assert reply.status == 200, reply
        return sorted(titles(reply))

    assert similar_as(None) == ["Django REST", "Django admin"]
    assert similar_as(f"Bearer {token}") == ["Django admin"]
    assert similar_as("Bearer not-a-token") == ["Django REST", "Django admin"]  # a visitor, not a 401


def test_a_booking_made_before_the_taste_existed_stays_out_after_a_new_booking(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentor = person("mentor")
    first = publish(ctx, mentor, tags=["Python"], title="Python for data", capacity=3)
    second = publish(ctx, mentor, tags=["Python"], title="Python testing", capacity=3)
    publish(ctx, mentor, tags=["Python"], title="Python packaging", capacity=3)
    ravi = learner("Ravi", ["Python"])
    rebuild(DirectoryArtefacts(models_dir))

    # Given a booking the stream never saw (before recommendations began)...
    seats.book(booker=ravi, session_id=first, client=CLIENT)
    stream = Stream(ctx)
    # ...when a new booking makes the stream keep a TASTE holding only that one
    seats.book(booker=ravi, session_id=second, client=CLIENT)
    stream.flush()

    # then neither comes back, in For you or Trending
    assert titles(get(recs, "/api/recommendations/sessions", who(ravi))) == ["Python packaging"]
    assert signals.taste_of(ravi.user_id) is not None
    token = accounts.sign_in_without_password(ctx, ravi.user_id).access_token
    event = rest_event("GET", "/api/recommendations/trending", headers={"Authorization": f"Bearer {token}"})
    assert titles(call(recs, event)) == []


def test_a_held_seat_is_not_recommended(recs: ModuleType, ctx: Context, models_dir: Path) -> None:
    mentor = person("mentor")
    paid = publish(ctx, mentor, tags=["Python"], title="Python for data", capacity=3, price_paise=50_000)
    publish(ctx, mentor, tags=["Python"], title="Python testing", capacity=3)
    ravi = learner("Ravi", ["Python"])
    rebuild(DirectoryArtefacts(models_dir))

    seats.book(booker=ravi, session_id=paid, client=CLIENT)  # held while they pay: no confirmation

    assert titles(get(recs, "/api/recommendations/sessions", who(ravi))) == ["Python testing"]


def test_a_mentor_is_never_recommended_their_own_sessions(
    recs: ModuleType, ctx: Context, models_dir: Path
) -> None:
    mentor, other = person("mentor"), person("mentor")
    publish(ctx, mentor, tags=["Python"], title="My Python", capacity=3)
    publish(ctx, other, tags=["Python"], title="Their Python", capacity=3)
    rebuild(DirectoryArtefacts(models_dir))

    assert titles(get(recs, "/api/recommendations/sessions", who(mentor))) == ["Their Python"]


def _bad_tokens(ctx: Context, user_id: str) -> dict[str, str]:
    from peerlearn import clock
    from peerlearn.accounts import signins, tokens

    good = accounts.sign_in_without_password(ctx, user_id)
    claims = tokens.read_access_token(ctx.settings.jwt_secret, good.access_token)
    other_secret = tokens.issue_access_token(
        "another-secret-" + "x" * 32,
        user_id=user_id,
        role="learner",
        version=claims.version,
        sign_in_id=claims.sign_in_id,
    )
    expired = tokens.issue_access_token(
        ctx.settings.jwt_secret,
        user_id=user_id,
        role="learner",
        version=claims.version,
        sign_in_id=claims.sign_in_id,
        now=clock.now_seconds() - 30 * 86400,
    )
    signed_out = accounts.sign_in_without_password(ctx, user_id).access_token
    signins.end_all_sign_ins(user_id, reason="signed out")
    return {"another secret": other_secret, "expired": expired, "signed out": signed_out}


def test_a_token_signed_elsewhere_expired_or_signed_out_makes_a_visitor_on_public_routes(
    recs: ModuleType, ctx: Context
) -> None:
    mentor = person("mentor")
    page = publish(ctx, mentor, tags=["Python", "Django"], title="Django from zero", capacity=3)
    booked = publish(ctx, mentor, tags=["Python", "Django"], title="Django REST", capacity=3)
    ravi = learner("Ravi", [])
    seats.book(booker=ravi, session_id=booked, client=CLIENT)

    for why, token in _bad_tokens(ctx, ravi.user_id).items():
        event = rest_event(
            "GET",
            f"/api/recommendations/sessions/{page}/similar",
            resource="/api/recommendations/sessions/{id}/similar",
            path_parameters={"id": page},
            headers={"Authorization": f"Bearer {token}"},
        )
        reply = call(recs, event)
        assert reply.status == 200, why
        assert titles(reply) == ["Django REST"], why  # the visitor's list: their booking is not left out


def test_a_token_that_cannot_be_checked_makes_a_visitor(
    recs: ModuleType, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from peerlearn.api.routes import recommendations as routes

    def throttled(*_args: object) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactGetItems"
        )

    monkeypatch.setattr(routes, "authorize", throttled)
    event = rest_event("GET", "/api/recommendations/trending", headers={"Authorization": "Bearer x.y.z"})

    assert call(recs, event).status == 200
