"""Demo data for `make dev`: a handful of learners, mentors and an admin with known passwords.

Idempotent: accounts that already exist are left alone, so restarting keeps the data.
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "peerlearn-demo-1"

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {"name": "Aditi Admin", "email": "admin@peerlearn.example", "role": "admin"},
    {
        "name": "Vikram Iyer",
        "email": "vikram@peerlearn.example",
        "role": "mentor",
        "headline": "Staff engineer, 12 years of Python and distributed systems",
        "expertise": ["Python", "System design", "AWS"],
        "bio": "I help engineers grow from mid-level to senior: design reviews, career chats, interviews.",
        "languages": ["English", "Hindi", "Tamil"],
    },
    {
        "name": "Meera Nair",
        "email": "meera@peerlearn.example",
        "role": "mentor",
        "headline": "Product designer at a fintech; portfolio reviews and UX careers",
        "expertise": ["UX design", "Figma", "Portfolio review"],
        "bio": "Ten years of designing for India's next billion users.",
        "languages": ["English", "Malayalam"],
    },
    {
        "name": "Rahul Sharma",
        "email": "rahul@peerlearn.example",
        "role": "mentor",
        "headline": "Data scientist; ML interviews and Kaggle",
        "expertise": ["Machine learning", "Statistics", "SQL"],
        "languages": ["English", "Hindi"],
    },
    {
        "name": "Asha Rao",
        "email": "asha@peerlearn.example",
        "role": "learner",
        "skills": ["JavaScript"],
        "interests": ["Python", "System design"],
        "languages": ["English", "Kannada"],
    },
    {
        "name": "Kabir Singh",
        "email": "kabir@peerlearn.example",
        "role": "learner",
        "interests": ["UX design", "Figma"],
        "languages": ["English", "Punjabi"],
    },
    {
        "name": "Priya Das",
        "email": "priya@peerlearn.example",
        "role": "learner",
        "interests": ["Machine learning", "SQL"],
        "languages": ["English", "Bengali"],
    },
]


# (mentor email, title, tags, level, language, hours from now, duration, capacity, price in paise)
DEMO_SESSIONS: list[tuple[str, str, list[str], str, str, int, int, int, int]] = [
    (
        "vikram@peerlearn.example",
        "Python code review, 1:1",
        ["Python", "Code review"],
        "intermediate",
        "English",
        26,
        60,
        1,
        49_900,
    ),
    (
        "vikram@peerlearn.example",
        "System design for beginners",
        ["System design"],
        "beginner",
        "English",
        50,
        90,
        6,
        0,
    ),
    (
        "vikram@peerlearn.example",
        "AWS Lambda deep dive (in Hindi)",
        ["AWS", "Serverless"],
        "advanced",
        "Hindi",
        98,
        60,
        4,
        99_900,
    ),
    (
        "meera@peerlearn.example",
        "Portfolio review for UX designers",
        ["UX design", "Portfolio review"],
        "intermediate",
        "English",
        30,
        45,
        1,
        79_900,
    ),
    (
        "meera@peerlearn.example",
        "Figma auto layout, hands on",
        ["Figma", "UX design"],
        "beginner",
        "English",
        74,
        60,
        8,
        0,
    ),
    (
        "rahul@peerlearn.example",
        "ML interview practice",
        ["Machine learning", "Interviews"],
        "advanced",
        "English",
        40,
        60,
        1,
        149_900,
    ),
    ("rahul@peerlearn.example", "SQL window functions", ["SQL"], "intermediate", "Hindi", 122, 60, 5, 0),
]
# (learner email, session title) bookings, and past sessions with reviews (rating, text).
DEMO_BOOKINGS = [
    ("asha@peerlearn.example", "System design for beginners"),
    ("kabir@peerlearn.example", "Figma auto layout, hands on"),
    ("priya@peerlearn.example", "SQL window functions"),
]
DEMO_PAST = [
    (
        "vikram@peerlearn.example",
        "Career chat: mid-level to senior",
        ["Career"],
        [
            (
                "asha@peerlearn.example",
                5,
                "Clear, practical advice. I left with a plan for the next six months.",
            ),
            ("priya@peerlearn.example", 4, "Very helpful; would have liked more time on promotions."),
        ],
    ),
    (
        "meera@peerlearn.example",
        "Design critique circle",
        ["UX design"],
        [
            ("kabir@peerlearn.example", 5, "Kind and sharp feedback on my case study."),
        ],
    ),
]


def seed(settings_env: dict[str, str]) -> list[str]:
    """Creates the demo accounts and sessions that are missing; returns lines to print."""
    from peerlearn.accounts import service
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    ctx = build_context(Settings.from_env(settings_env))
    created = 0
    for account in DEMO_ACCOUNTS:
        if service.find_user_by_email(account["email"]) is None:
            service.create_account(password=DEMO_PASSWORD, verified=True, **account)
            created += 1
    sessions = _seed_sessions(ctx)
    lines = [f"Demo accounts ({created} created now), password '{DEMO_PASSWORD}':"]
    lines += [f"  {a['role']:<8} {a['email']}" for a in DEMO_ACCOUNTS]
    lines.append(f"Demo sessions: {sessions} created now.")
    return lines


def _user(email: str) -> Any:
    from peerlearn.accounts import service

    user = service.find_user_by_email(email)
    assert user is not None, email
    return user


def _seed_sessions(ctx: Any) -> int:
    """Upcoming sessions (some booked) and past ones with reviews, once per data directory."""
    from datetime import UTC, datetime, timedelta

    from peerlearn import ids, timeutil
    from peerlearn.bookings import seats
    from peerlearn.catalog import publishing
    from peerlearn.catalog.schemas import SessionCreate
    from peerlearn.feedback.service import count_session_taught
    from peerlearn.store.keys import (
        booking_sk,
        learner_bookings_pk,
        mentor_reviews_pk,
        mentor_sessions_pk,
        review_sk,
        session_pk,
    )
    from peerlearn.store.models import BookingItem, ReviewItem, SessionItem

    vikram = _user("vikram@peerlearn.example")
    if next(iter(SessionItem.by_mentor.query(mentor_sessions_pk(vikram.id), limit=1)), None) is not None:
        return 0
    titles: dict[str, str] = {}
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for email, title, tags, level, language, hours, minutes, capacity, price in DEMO_SESSIONS:
        mentor = _user(email)
        local = (now + timedelta(hours=hours, minutes=30) + timedelta(hours=5, minutes=30)).strftime(
            "%Y-%m-%dT%H:%M"
        )
        request = SessionCreate(
            title=title,
            description=f"{title}. Bring your questions.",
            tags=tags,
            level=level,
            language=language,
            starts_at_local=local,
            timezone="Asia/Kolkata",
            duration_minutes=minutes,
            capacity=capacity,
            price_paise=price,
        )
        titles[title] = publishing.create_session(ctx, mentor_id=mentor.id, request=request, client="seed").id
    for email, title in DEMO_BOOKINGS:
        learner = _user(email)
        booker = seats.Booker(user_id=learner.id, name=learner.name, role="learner", email_verified=True)
        seats.book(booker=booker, session_id=titles[title], client="seed")

    for days_ago, (email, title, tags, reviews) in enumerate(DEMO_PAST, start=3):
        mentor = _user(email)
        starts = timeutil.to_iso(now - timedelta(days=days_ago))
        ends = timeutil.plus_minutes(starts, 60)
        session_id = ids.new_id()
        SessionItem(
            session_pk(session_id),
            "SESSION",
            id=session_id,
            mentor_id=mentor.id,
            mentor_name=mentor.name,
            title=title,
            description=title,
            tags=tags,
            tag_keys=[t.lower() for t in tags],
            search_text=title.lower(),
            level="beginner",
            language="English",
            language_key="english",
            starts_at=starts,
            ends_at=ends,
            duration_minutes=60,
            timezone="Asia/Kolkata",
            capacity=4,
            seats_left=4 - len(reviews),
            booked_count=len(reviews),
            price_paise=0,
            status="completed",
            created_at=starts,
            updated_at=ends,
            completed_at=ends,
            gsi2pk=mentor_sessions_pk(mentor.id),
            gsi2sk=f"{starts}#{session_id}",
        ).save()
        for learner_email, rating, text in reviews:
            learner = _user(learner_email)
            BookingItem(
                session_pk(session_id),
                booking_sk(learner.id),
                id=ids.new_id(),
                session_id=session_id,
                learner_id=learner.id,
                learner_name=learner.name,
                mentor_id=mentor.id,
                mentor_name=mentor.name,
                session_title=title,
                session_starts_at=starts,
                session_ends_at=ends,
                status="completed",
                price_paise=0,
                created_at=starts,
                updated_at=ends,
                gsi2pk=learner_bookings_pk(learner.id),
                gsi2sk=f"{starts}#{session_id}",
            ).save()
            # The stream consumer turns each new review into the mentor's and the session's aggregates.
            ReviewItem(
                session_pk(session_id),
                review_sk(learner.id),
                session_id=session_id,
                session_title=title,
                mentor_id=mentor.id,
                learner_id=learner.id,
                learner_name=learner.name,
                rating=rating,
                text=text,
                version=1,
                created_at=ends,
                gsi2pk=mentor_reviews_pk(mentor.id),
                gsi2sk=f"{ends}#{session_id}#{learner.id}",
            ).save()
        count_session_taught(session_id=session_id, mentor_id=mentor.id)
    return len(DEMO_SESSIONS) + len(DEMO_PAST)
