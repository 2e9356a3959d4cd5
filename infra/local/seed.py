"""Demo data for `make dev`: a small community with known passwords: six mentors, forty learners with
interests, thirty upcoming sessions over a dozen topics, and two months of past sessions booked, run
and rated, so recommendations, trending and "what learners want" have something to show.

Idempotent: accounts that already exist are left alone, and sessions are made once per data
directory, so restarting keeps the data. Everything goes through the domain functions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
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

# The community around the accounts above (`seed(..., community=True)`, what `make dev` loads).
# Learners gather around a few areas (so "learners who booked X also booked Y" has something to find),
# with one topic each that no session offers yet (what a mentor's "what learners want" shows).
TOPIC_GROUPS: dict[str, list[str]] = {
    "backend": ["Python", "System design", "AWS", "Code review", "Kubernetes"],
    "design": ["UX design", "Figma", "Portfolio review", "Accessibility"],
    "data": ["Machine learning", "SQL", "Statistics", "Data analysis", "Deep learning"],
    "frontend": ["JavaScript", "React", "Web performance", "TypeScript"],
    "career": ["Interviews", "Career", "Public speaking", "Product management"],
}
GROUPS = list(TOPIC_GROUPS)
REGIONAL_LANGUAGES = ["Hindi", "Tamil", "Telugu", "Marathi", "Bengali", "Kannada", "Gujarati", "Malayalam"]
LEARNER_NAMES = [
    "Aarav Mehta",
    "Diya Menon",
    "Ishaan Gupta",
    "Kavya Reddy",
    "Rohan Joshi",
    "Saanvi Pillai",
    "Arjun Nair",
    "Ananya Bose",
    "Vivaan Chopra",
    "Meher Sethi",
    "Karan Malhotra",
    "Riya Banerjee",
    "Aditya Rao",
    "Tara Iyer",
    "Dev Patel",
    "Nisha Verma",
    "Yash Agarwal",
    "Pooja Hegde",
    "Siddharth Jain",
    "Lakshmi Subramanian",
    "Neel Desai",
    "Fatima Shaikh",
    "Harsh Vardhan",
    "Ira Kapoor",
    "Manav Bhatt",
    "Zoya Khan",
    "Omkar Pawar",
    "Sana Mirza",
    "Tanmay Kulkarni",
    "Aisha Siddiqui",
    "Gaurav Saxena",
    "Bhavna Nair",
    "Rahul Pandey",
    "Shreya Ghosh",
    "Varun Dutta",
    "Esha Shetty",
    "Abhay Thakur",
]


def _learner(n: int, name: str) -> dict[str, Any]:
    """The n-th generated learner: a main area (and for some a second), interests from it."""
    group = TOPIC_GROUPS[GROUPS[n % len(GROUPS)]]
    interests = [group[n % 2], group[n % 2 + 1]]
    if n % 3 == 0:
        interests.append(group[-1])  # a topic no session offers yet
    if n % 4 == 1:
        interests.append(TOPIC_GROUPS[GROUPS[(n + 2) % len(GROUPS)]][0])
    first, last = name.lower().split()
    return {
        "name": name,
        "email": f"{first}.{last}@peerlearn.example",
        "role": "learner",
        "interests": interests,
        "languages": ["English", REGIONAL_LANGUAGES[n % len(REGIONAL_LANGUAGES)]],
    }


DEMO_LEARNERS = [_learner(n, name) for n, name in enumerate(LEARNER_NAMES)]
COMMUNITY_MENTORS: list[dict[str, Any]] = [
    {
        "name": "Ananya Krishnan",
        "email": "ananya@peerlearn.example",
        "role": "mentor",
        "headline": "Frontend lead; React, JavaScript and fast websites",
        "expertise": ["JavaScript", "React", "Web performance"],
        "bio": "I have shipped React apps to millions of phones on slow networks.",
        "languages": ["English", "Kannada", "Hindi"],
    },
    {
        "name": "Farhan Qureshi",
        "email": "farhan@peerlearn.example",
        "role": "mentor",
        "headline": "Engineering manager; interviews, careers and speaking up",
        "expertise": ["Interviews", "Career", "Public speaking"],
        "languages": ["English", "Hindi", "Urdu"],
    },
    {
        "name": "Sneha Kulkarni",
        "email": "sneha@peerlearn.example",
        "role": "mentor",
        "headline": "Analytics lead; SQL, dashboards and product metrics",
        "expertise": ["Data analysis", "SQL", "Product management"],
        "languages": ["English", "Marathi"],
    },
]
COMMUNITY_ACCOUNTS = COMMUNITY_MENTORS + DEMO_LEARNERS


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
# The community's upcoming sessions (the fields above without the mentor), over a dozen topics at
# different hours of the coming two weeks; some paid, one full with a waitlist.
MORE_SESSIONS: dict[str, list[tuple[str, list[str], str, str, int, int, int, int]]] = {
    "vikram@peerlearn.example": [
        (
            "Designing a URL shortener",
            ["System design", "Interviews"],
            "intermediate",
            "English",
            54,
            60,
            6,
            0,
        ),
        ("Python testing with pytest", ["Python", "Code review"], "beginner", "English", 80, 60, 7, 0),
        (
            "Serverless APIs on AWS",
            ["AWS", "Serverless", "Python"],
            "intermediate",
            "English",
            146,
            90,
            5,
            49_900,
        ),
        (
            "Code review: your pull request",
            ["Code review", "Python"],
            "intermediate",
            "English",
            290,
            45,
            1,
            0,
        ),
    ],
    "meera@peerlearn.example": [
        ("UX research on a budget", ["UX design"], "beginner", "English", 46, 60, 7, 0),
        ("Figma prototyping basics", ["Figma"], "beginner", "English", 58, 60, 7, 0),
        ("Design systems in Figma", ["Figma", "UX design"], "intermediate", "English", 102, 75, 6, 59_900),
        ("Case study teardown", ["Portfolio review", "UX design"], "intermediate", "English", 170, 60, 4, 0),
    ],
    "rahul@peerlearn.example": [
        (
            "Statistics for data interviews",
            ["Statistics", "Interviews"],
            "intermediate",
            "English",
            34,
            60,
            6,
            0,
        ),
        (
            "Intro to machine learning with scikit-learn",
            ["Machine learning", "Python"],
            "beginner",
            "English",
            60,
            90,
            7,
            0,
        ),
        (
            "Feature engineering clinic",
            ["Machine learning", "Data analysis"],
            "advanced",
            "English",
            194,
            60,
            5,
            99_900,
        ),
    ],
    "ananya@peerlearn.example": [
        ("Modern JavaScript in an hour", ["JavaScript"], "beginner", "English", 28, 60, 7, 0),
        ("React hooks, hands on", ["React", "JavaScript"], "intermediate", "English", 76, 90, 6, 0),
        (
            "Make your site fast: Core Web Vitals",
            ["Web performance", "JavaScript"],
            "intermediate",
            "English",
            124,
            60,
            5,
            0,
        ),
        ("React interview prep", ["React", "Interviews"], "intermediate", "Hindi", 218, 60, 1, 79_900),
    ],
    "farhan@peerlearn.example": [
        ("Mock interview: behavioural round", ["Interviews", "Career"], "beginner", "English", 22, 45, 2, 0),
        ("Negotiating your offer", ["Career"], "intermediate", "English", 70, 60, 7, 0),
        ("Speak up in meetings", ["Public speaking", "Career"], "beginner", "Hindi", 118, 60, 7, 0),
        (
            "From engineer to manager",
            ["Career", "Product management"],
            "advanced",
            "English",
            242,
            60,
            6,
            49_900,
        ),
    ],
    "sneha@peerlearn.example": [
        ("SQL for analysts: joins and CTEs", ["SQL", "Data analysis"], "beginner", "English", 38, 60, 7, 0),
        ("Dashboards that get read", ["Data analysis"], "intermediate", "English", 94, 60, 6, 0),
        (
            "Product metrics 101",
            ["Product management", "Data analysis"],
            "beginner",
            "Marathi",
            142,
            60,
            7,
            0,
        ),
        (
            "A/B testing without tears",
            ["Statistics", "Product management"],
            "intermediate",
            "English",
            266,
            60,
            5,
            39_900,
        ),
    ],
}
COMMUNITY_SESSIONS = [(email, *row) for email, rows in MORE_SESSIONS.items() for row in rows]
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


# Past sessions of the last two months beyond the first two: (mentor email, title, tags, days ago).
# Their learners are the ones who follow one of the tags (a few at random, one from elsewhere). Some
# carry a topic no upcoming session offers: the mentors of the topic beside it see it wanted.
MORE_PAST: list[tuple[str, str, list[str], int]] = [
    ("vikram@peerlearn.example", "Python for backend developers", ["Python"], 8),
    ("vikram@peerlearn.example", "Scaling a web app: a case study", ["System design", "AWS"], 15),
    ("vikram@peerlearn.example", "Python code review clinic", ["Python", "Code review"], 29),
    ("vikram@peerlearn.example", "AWS basics for developers", ["AWS", "Kubernetes"], 43),
    ("meera@peerlearn.example", "Figma basics", ["Figma", "UX design"], 10),
    ("meera@peerlearn.example", "UX portfolio clinic", ["Portfolio review", "UX design"], 24),
    ("meera@peerlearn.example", "Usability testing 101", ["UX design", "Accessibility"], 38),
    ("rahul@peerlearn.example", "Machine learning foundations", ["Machine learning", "Deep learning"], 6),
    ("rahul@peerlearn.example", "SQL for data science", ["SQL", "Data analysis"], 20),
    ("rahul@peerlearn.example", "Statistics refresher", ["Statistics"], 34),
    ("rahul@peerlearn.example", "ML system design", ["Machine learning", "System design"], 50),
    ("ananya@peerlearn.example", "JavaScript fundamentals", ["JavaScript", "TypeScript"], 9),
    ("ananya@peerlearn.example", "React from scratch", ["React", "JavaScript"], 23),
    ("ananya@peerlearn.example", "Frontend performance basics", ["Web performance"], 45),
    ("farhan@peerlearn.example", "Cracking the coding interview", ["Interviews"], 5),
    ("farhan@peerlearn.example", "Career roadmap workshop", ["Career"], 19),
    ("farhan@peerlearn.example", "Presenting your work", ["Public speaking", "Career"], 33),
    ("farhan@peerlearn.example", "PM interviews", ["Product management", "Interviews"], 52),
    ("sneha@peerlearn.example", "Excel to SQL", ["SQL", "Data analysis"], 12),
    ("sneha@peerlearn.example", "Storytelling with data", ["Data analysis", "Public speaking"], 26),
    ("sneha@peerlearn.example", "Intro to product analytics", ["Product management", "Data analysis"], 40),
]
PAST_CAPACITY = 6
REVIEW_TEXTS = [
    "Practical and well paced.",
    "Clear explanations and good examples.",
    "Exactly what I needed before my interview.",
    "Friendly, and every question got an answer.",
    None,
]
# The full session with a queue: two seats taken, three learners waiting (demand the mentor can see).
FULL_WITH_WAITLIST = "Mock interview: behavioural round"
# So the seed makes the same community every time.
COMMUNITY_SEED = 10


def seed(settings_env: dict[str, str], *, community: bool = True) -> list[str]:
    """Creates the demo accounts and sessions that are missing; returns lines to print.

    `community=False` makes the first few accounts and sessions only: the community is hundreds of
    writes, and moto copies the whole table on every transaction (unit tests use that; the
    integration test and `make dev` seed everything against DynamoDB Local).
    """
    from peerlearn.accounts import service
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    ctx = build_context(Settings.from_env(settings_env))
    _USERS.clear()  # ids from another table (an earlier run in this process) mean nothing here
    accounts = DEMO_ACCOUNTS + (COMMUNITY_ACCOUNTS if community else [])
    created = 0
    for account in accounts:
        if service.find_user_by_email(account["email"]) is None:
            service.create_account(password=DEMO_PASSWORD, verified=True, **account)
            created += 1
    sessions = _seed_sessions(ctx, community=community)
    lines = [f"Demo accounts ({created} created now), password '{DEMO_PASSWORD}':"]
    lines += [f"  {a['role']:<8} {a['email']}" for a in accounts if a not in DEMO_LEARNERS]
    if community:
        lines.append(f"  and {len(DEMO_LEARNERS)} more learners, e.g. {DEMO_LEARNERS[0]['email']}")
    lines.append(f"Demo sessions: {sessions} created now.")
    return lines


_USERS: dict[str, Any] = {}


def _user(email: str) -> Any:
    """The account of `email` (read once per run: the seed looks learners up many times)."""
    from peerlearn.accounts import service

    if email not in _USERS:
        user = service.find_user_by_email(email)
        assert user is not None, email
        _USERS[email] = user
    return _USERS[email]


def _local_in(minutes: int) -> str:
    """Wall-clock time in India `minutes` from the (possibly shifted) clock, as the session form sends it."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from peerlearn import clock

    moment = datetime.fromtimestamp(clock.now_seconds() + minutes * 60, tz=UTC)
    return moment.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%dT%H:%M")


def _publish(ctx: Any, email: str, title: str, tags: list[str], minutes_ahead: int, **fields: Any) -> str:
    from peerlearn.catalog import publishing
    from peerlearn.catalog.schemas import SessionCreate

    request = SessionCreate(
        title=title,
        description=f"{title}. Bring your questions.",
        tags=tags,
        starts_at_local=_local_in(minutes_ahead),
        timezone="Asia/Kolkata",
        **fields,
    )
    return publishing.create_session(ctx, mentor_id=_user(email).id, request=request, client=SEED_CLIENT).id


def _booker(email: str) -> Any:
    from peerlearn.bookings import seats

    learner = _user(email)
    return seats.Booker(user_id=learner.id, name=learner.name, role=learner.role, email_verified=True)


def _book(email: str, session_id: str) -> None:
    from peerlearn.bookings import seats

    seats.book(booker=_booker(email), session_id=session_id, client=SEED_CLIENT)


def _run_past(
    ctx: Any,
    email: str,
    title: str,
    tags: list[str],
    days_ago: int,
    reviews: Sequence[tuple[str, int, str | None]],
) -> None:
    """A session published and booked an hour before it began `days_ago` days ago, run for an hour,
    then rated by its learners (a rating of 0 means the learner left none)."""
    from peerlearn import clock, reactions
    from peerlearn.catalog import lifecycle, lookup
    from peerlearn.feedback import service as feedback
    from peerlearn.feedback.schemas import ReviewCreate

    mentor = _user(email)
    starts_in = 60
    with clock.shifted(-days_ago * 86400 - starts_in * 60):
        session_id = _publish(
            ctx, email, title, tags, starts_in, level="beginner", duration_minutes=60, capacity=PAST_CAPACITY
        )
        for learner_email, _rating, _text in reviews:
            _book(learner_email, session_id)
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
            if rating:
                learner = _user(learner_email)
                feedback.create_review(
                    user_id=learner.id,
                    name=learner.name,
                    session_id=session_id,
                    request=ReviewCreate(rating=rating, text=text),
                )


def _follows(account: dict[str, Any], tags: list[str]) -> bool:
    interests = {tag.lower() for tag in account.get("interests", [])}
    return any(tag.lower() in interests for tag in tags)


def _past_learners(rng: random.Random, tags: list[str]) -> list[tuple[str, int, str | None]]:
    """Who came to a past session on `tags` and how they rated it: some who follow a tag, one other."""
    learners = [a for a in DEMO_ACCOUNTS + DEMO_LEARNERS if a["role"] == "learner"]
    fans = [a["email"] for a in learners if _follows(a, tags)]
    others = [a["email"] for a in learners if a["email"] not in fans]
    came = rng.sample(fans, min(len(fans), PAST_CAPACITY - 1)) + rng.sample(others, 1)
    return [(email, rng.choice([5, 5, 5, 4, 4, 3, 0]), rng.choice(REVIEW_TEXTS)) for email in came]


def _seed_sessions(ctx: Any, *, community: bool) -> int:
    """Upcoming sessions (some booked, one full with a waitlist) and past ones with reviews, once per
    data directory.

    Everything goes through the domain functions a request uses; past sessions are published,
    booked, run and reviewed under a shifted clock, so demo data can't drift from real data.
    """
    from peerlearn.store.keys import mentor_sessions_pk
    from peerlearn.store.models import SessionItem

    vikram = _user("vikram@peerlearn.example")
    if next(iter(SessionItem.by_mentor.query(mentor_sessions_pk(vikram.id), limit=1)), None) is not None:
        return 0

    upcoming = DEMO_SESSIONS + (COMMUNITY_SESSIONS if community else [])
    titles: dict[str, str] = {}
    for email, title, tags, level, language, hours, minutes, capacity, price in upcoming:
        titles[title] = _publish(
            ctx,
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
        _book(email, titles[title])

    for days_ago, (email, title, tags, reviews) in enumerate(DEMO_PAST, start=3):
        _run_past(ctx, email, title, tags, days_ago, reviews)
    if not community:
        return len(upcoming) + len(DEMO_PAST)
    rng = random.Random(COMMUNITY_SEED)  # noqa: S311  (who came to what in demo data, no secret)
    for email, title, tags, days_ago in MORE_PAST:
        _run_past(ctx, email, title, tags, days_ago, _past_learners(rng, tags))
    _book_upcoming(rng, titles)
    return len(upcoming) + len(DEMO_PAST) + len(MORE_PAST)


def _book_upcoming(rng: random.Random, titles: dict[str, str]) -> None:
    """Each generated learner books a free upcoming session on one of their topics (while seats
    last); one session fills up and three more learners join its waitlist."""
    from peerlearn.bookings import waitlist

    upcoming = DEMO_SESSIONS + COMMUNITY_SESSIONS
    seats = {title: capacity for _e, title, _t, _l, _g, _h, _m, capacity, _p in upcoming}
    for _email, title in DEMO_BOOKINGS:
        seats[title] -= 1
    free = [(title, tags) for _e, title, tags, *_rest, price in upcoming if price == 0]
    queue = [a["email"] for a in DEMO_LEARNERS if _follows(a, ["Interviews", "Career"])]
    for email in queue[:2]:
        _book(email, titles[FULL_WITH_WAITLIST])
    for email in queue[2:5]:
        waitlist.join_waitlist(booker=_booker(email), session_id=titles[FULL_WITH_WAITLIST])
    seats[FULL_WITH_WAITLIST] = 0
    for account in DEMO_LEARNERS:
        choices = [title for title, tags in free if seats[title] > 0 and _follows(account, tags)]
        for title in rng.sample(choices, min(len(choices), rng.choice([1, 1, 2]))):
            _book(account["email"], titles[title])
            seats[title] -= 1
