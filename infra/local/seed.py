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


def seed(settings_env: dict[str, str]) -> list[str]:
    """Creates the demo accounts that are missing; returns lines to print."""
    from peerlearn.accounts import service
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    build_context(Settings.from_env(settings_env))
    created = 0
    for account in DEMO_ACCOUNTS:
        if service.find_user_by_email(account["email"]) is None:
            service.create_account(password=DEMO_PASSWORD, verified=True, **account)
            created += 1
    lines = [f"Demo accounts ({created} created now), password '{DEMO_PASSWORD}':"]
    lines += [f"  {a['role']:<8} {a['email']}" for a in DEMO_ACCOUNTS]
    return lines
