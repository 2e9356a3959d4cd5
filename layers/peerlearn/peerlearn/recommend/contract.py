"""The engine's contract: what a build takes (a catalogue, interactions, people) and what a built
model answers (ranked picks, each with its reason). Plain dataclasses; the serving side, the
evaluator and the benchmarks code against them (import them from `peerlearn.recommend.model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

ReasonKind = Literal[
    "interest",  # "Because you follow Python"
    "co_booked",  # "Learners who booked X also booked this"
    "similar",  # "Like X, which you booked" (content)
    "mentor",  # "From Vikram Iyer, whom you rated 5 stars" / "... a mentor you booked before"
    "trending",  # "Popular with learners" (the model's decayed popularity; the live index says "this week")
    "new",  # "New from a mentor rated 4.8"
]


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    text: str  # a sentence a learner can read
    about: str | None = None  # the item, tag or mentor id the reason names


@dataclass(frozen=True)
class Pick:
    item_id: str
    score: float
    reason: Reason


@dataclass
class Catalogue:
    """Every item a build knows (sessions past and upcoming; or movies in an evaluation).

    Parallel lists, one entry per item. `bookable` marks what may be recommended (open, in the
    future, seats left) at build time; serving re-checks it live.
    """

    ids: list[str]
    tags: list[list[str]]
    titles: list[str] = field(default_factory=list)
    mentor_ids: list[str | None] = field(default_factory=list)
    levels: list[str | None] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    starts_at: list[int] = field(default_factory=list)  # epoch seconds; 0 when unknown
    price_paise: list[int] = field(default_factory=list)
    bookable: list[bool] = field(default_factory=list)  # empty: everything is
    seats_left: list[int] = field(default_factory=list)  # empty: unknown (demand counts sessions)


@dataclass
class Interactions:
    """One row per (user, item) event: a booking, a rating, a view. `weight` is its strength
    (booking 1.0; a rating maps to a weight, low ratings weak or zero; a view small)."""

    user_ids: list[str]
    item_ids: list[str]
    at: list[int]  # epoch seconds
    weight: list[float]
    kind: list[str] = field(default_factory=list)  # "booking" | "rating" | "view"; empty: all bookings


@dataclass
class MentorProfile:
    id: str
    name: str
    expertise: list[str]
    languages: list[str]
    timezone: str
    # UTC hours of day their sessions start at, one per session (13.5 = 13:30); the build prefers the
    # start times of their sessions in the catalogue, and uses these for a mentor with none there
    usual_hours_utc: Sequence[float]
    rating_average: float | None
    rating_count: int
    median_price_paise: int | None
    sessions_taught: int = 0


@dataclass
class Learner:
    """What serving knows about one learner at request time (their profile, read live, and their
    taste, kept by the stream): enough to rank without a rebuild."""

    user_id: str | None
    interests: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    timezone: str | None = None
    # (item id, weight, at epoch seconds): bookings, ratings (weight from the rating), views
    history: list[tuple[str, float, int]] = field(default_factory=list)
    booked: set[str] = field(default_factory=set)  # never recommended again


@dataclass(frozen=True)
class MentorPick:
    mentor_id: str
    score: float
    reasons: list[str]  # readable, strongest first ("Teaches Python and System design", "Speaks Hindi")


@dataclass(frozen=True)
class Demand:
    """A tag learners want, for a mentor who teaches it: how many follow it or waited for a seat, and
    how much upcoming supply meets it."""

    tag: str
    learners: int  # follow it (it is among their interests)
    waitlisted: int  # on the waitlist of a session with it
    open_sessions: int
    seats_left: int
    text: str  # "42 learners follow Kubernetes; no upcoming session teaches it"


@dataclass
class BuildInput:
    catalogue: Catalogue
    interactions: Interactions
    mentors: list[MentorProfile] = field(default_factory=list)
    # tag -> learners who follow it (interests), and tag -> waitlisted learners, for demand
    interest_counts: dict[str, int] = field(default_factory=dict)
    waitlist_counts: dict[str, int] = field(default_factory=dict)
    now: int = 0  # epoch seconds the build is "as of" (trending decays to it)
