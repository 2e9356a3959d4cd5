"""The demo's past: sessions run days ago with who came and what they said (rating, text), which of
them were paid and gifted (`infra.local.seed` runs, books, pays and reviews them under a shifted
clock)."""

from __future__ import annotations

# Past sessions with reviews (learner email, rating, text).
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
# Past sessions their learners paid for (title -> price in paise), on the community only (`make dev`:
# paying needs the running stack's Razorpay sandbox); every mentor has one or two, spread over the two
# months, so the revenue charts, learners' spending and receipts and mentors' earnings have days to show.
PAST_PRICES: dict[str, int] = {
    "Career chat: mid-level to senior": 49900,
    "Python for backend developers": 29900,
    "AWS basics for developers": 79900,
    "UX portfolio clinic": 59900,
    "Machine learning foundations": 69900,
    "ML system design": 79900,
    "React from scratch": 39900,
    "Cracking the coding interview": 49900,
    "Career roadmap workshop": 29900,
    "Storytelling with data": 44900,
}
# Gifts sent during a paid past session by its first learner (title -> amount in paise), so learners'
# spending, mentors' earnings and the admin's revenue have gifts to show too.
PAST_GIFTS: dict[str, int] = {
    "Career chat: mid-level to senior": 10_000,
    "UX portfolio clinic": 5_000,
    "Machine learning foundations": 20_000,
}
REVIEW_TEXTS = [
    "Practical and well paced.",
    "Clear explanations and good examples.",
    "Exactly what I needed before my interview.",
    "Friendly, and every question got an answer.",
    None,
]
