"""Demo data for `make dev`: a handful of learners, mentors and an admin with known passwords.

Idempotent: accounts that already exist are left alone, so restarting keeps the data.
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "peerlearn-demo-1"
# The client address the seed's bookings and sessions count against (quotas are per client).
SEED_CLIENT = "seed"

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
        7,
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


def _local_in(minutes: int) -> str:
    """Wall-clock time in India `minutes` from the (possibly shifted) clock, as the session form sends it."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from peerlearn import clock

    moment = datetime.fromtimestamp(clock.now_seconds() + minutes * 60, tz=UTC)
    return moment.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%dT%H:%M")


def _seed_sessions(ctx: Any) -> int:
    """Upcoming sessions (some booked) and past ones with reviews, once per data directory.

    Everything goes through the domain functions a request uses; past sessions are published,
    booked, run and reviewed under a shifted clock, so demo data can't drift from real data.
    """
    from peerlearn import clock, reactions
    from peerlearn.bookings import seats
    from peerlearn.catalog import lifecycle, lookup, publishing
    from peerlearn.catalog.schemas import SessionCreate
    from peerlearn.feedback import service as feedback
    from peerlearn.feedback.schemas import ReviewCreate
    from peerlearn.store.keys import mentor_sessions_pk
    from peerlearn.store.models import SessionItem

    vikram = _user("vikram@peerlearn.example")
    if next(iter(SessionItem.by_mentor.query(mentor_sessions_pk(vikram.id), limit=1)), None) is not None:
        return 0

    def publish(email: str, title: str, tags: list[str], minutes_ahead: int, **fields: Any) -> str:
        request = SessionCreate(
            title=title,
            description=f"{title}. Bring your questions.",
            tags=tags,
            starts_at_local=_local_in(minutes_ahead),
            timezone="Asia/Kolkata",
            **fields,
        )
        mentor = _user(email)
        return publishing.create_session(ctx, mentor_id=mentor.id, request=request, client=SEED_CLIENT).id

    def book(email: str, session_id: str) -> None:
        learner = _user(email)
        booker = seats.Booker(user_id=learner.id, name=learner.name, role=learner.role, email_verified=True)
        seats.book(booker=booker, session_id=session_id, client=SEED_CLIENT)

    titles: dict[str, str] = {}
    for email, title, tags, level, language, hours, minutes, capacity, price in DEMO_SESSIONS:
        titles[title] = publish(
            email,
            title,
            tags,
            hours * 60 + 30,
            level=level,
            language=language,
            duration_minutes=minutes,
            capacity=capacity,
            price_paise=price,
        )
    for email, title in DEMO_BOOKINGS:
        book(email, titles[title])

    for days_ago, (email, title, tags, reviews) in enumerate(DEMO_PAST, start=3):
        mentor = _user(email)
        starts_in = 60  # published and booked an hour before it began, `days_ago` days ago
        with clock.shifted(-days_ago * 86400 - starts_in * 60):
            session_id = publish(
                email, title, tags, starts_in, level="beginner", duration_minutes=60, capacity=4
            )
            for learner_email, _rating, _text in reviews:
                book(learner_email, session_id)
        with clock.shifted(-days_ago * 86400):
            lifecycle.start_session(ctx, mentor_id=mentor.id, session_id=session_id)
        with clock.shifted(-days_ago * 86400 + 60 * 60):
            before = lookup.get_session_item(session_id, consistent=True).attribute_values.copy()
            lifecycle.end_session(ctx, mentor_id=mentor.id, session_id=session_id)
            after = lookup.get_session_item(session_id, consistent=True).attribute_values
            # What the stream consumer does with this change (it may do it too: it is idempotent),
            # here at once so the reviews below find completed bookings.
            reactions.on_session_changed(before, after)
            for learner_email, rating, text in reviews:
                learner = _user(learner_email)
                feedback.create_review(
                    user_id=learner.id,
                    name=learner.name,
                    session_id=session_id,
                    request=ReviewCreate(rating=rating, text=text),
                )
    return len(DEMO_SESSIONS) + len(DEMO_PAST)
