"""The demo community's data (`infra.local.seed` makes it through the domain functions): the first
accounts and sessions the tests name, and the community around them that `make dev` loads."""

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
# (learner email, session title) bookings (past sessions, their reviews and money: seed_past.py).
DEMO_BOOKINGS = [
    ("asha@peerlearn.example", "System design for beginners"),
    ("kabir@peerlearn.example", "Figma auto layout, hands on"),
    ("priya@peerlearn.example", "SQL window functions"),
]
# The full session with a queue: two seats taken, three learners waiting (demand the mentor can see).
FULL_WITH_WAITLIST = "Mock interview: behavioural round"
# So the seed makes the same community every time.
COMMUNITY_SEED = 10
