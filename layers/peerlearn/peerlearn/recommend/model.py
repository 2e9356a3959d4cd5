"""The engine's contract: what a build takes (a catalogue, interactions, people) and what a built
model answers (ranked picks, each with its reason). numpy only; nothing here knows the table.

CONTRACT (issue 10): the engine branch fills in `build` and `Model`; the dataclasses are the seam
the serving side and the evaluator code against. Keep their fields; add optional ones freely.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from peerlearn.recommend import collaborative, content, matching, trending
from peerlearn.recommend.weights import BOOKING_WEIGHT, stars_of

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


F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]

# How a learner's signals are blended (see `Model.blend_weights`). Each signal contributes by rank
# (weight x RANK_K / (RANK_K + rank), its top RANK_DEPTH items), not by raw score: the signals' scales
# differ (EASE weights, cosines, decayed counts) and max-normalised sums let one peaked signal drown
# the rest (time split with kNN: rank fusion 0.087 vs max-normalised 0.066 recall@10).
# Measured on MovieLens latest-small, recall@10 leave-last-out / time split (popularity 0.043 / 0.179,
# decayed popularity 0.028 / 0.232):
#   TREND_SHARE 0.05: 0.085 / 0.248, 0.1: 0.086 / 0.252, 0.2: 0.088 / 0.252, 0.3: 0.085 / 0.257;
#   CF_HALF_HISTORY 5 (vs 2): 0.084 / 0.257;
#   PROFILE_HALF_LIFE 1 day: 0.091 / 0.178 (misses the time-split goal), 30 days: 0.085 / 0.248,
#   1 year: 0.086 / 0.252, 10 years: 0.086 / 0.252.
# Differences under ~0.005 are a handful of users (671 and 23 test users): within noise.
CF_HALF_HISTORY = 2.0  # collaborative's share is h / (h + this) for a learner with h history items
# Of what is not collaborative: content vs trending. For new learners (history hidden, interests = their
# 3 most frequent genres) MovieLens favours trending: served_cold recall@10 0.033 at 0.2, 0.016 at
# 0.5, 0.009 at 0.8 - 20 coarse genres say little about a film. A learner's interests are tags they
# chose at sign-up, and the issue promises they see sessions matching them: kept at an even split.
CONTENT_SHARE = 0.5
# A mentor the learner booked (and did not rate below 3) before: not measurable on MovieLens (no
# mentors); set so a new session from a mentor they rated 5 stars outranks one merely popular.
MENTOR_SHARE = 0.3
PERSONAL_REASON_SHARE = 0.5  # a personal reason is shown if its part is at least this share of the top part
NEW_SHARE = 0.05  # a session nobody booked yet, from a well-rated mentor
TAIL_SHARE = 0.3  # collaborative's long tail (items EASE leaves out) against EASE's
TREND_SHARE = 0.2  # trending's share that stays however much the learner has done
CONTENT_FLOOR = 0.1  # content's share that stays however much the learner has done
PROFILE_HALF_LIFE_SECONDS = 365 * 24 * 3600  # history older than the learner's latest says less
COLD_SUPPORT = 3  # items booked by fewer learners also get content and same-mentor neighbours
COLD_MENTOR_SIM = 0.3  # a same-mentor neighbour's similarity, for an item without enough bookings
# The model's popularity may span months (its half-life is chosen per build), so it never says "this week".
POPULAR_TEXT = "Popular with learners"
RANK_K = 60.0
RANK_DEPTH = 500
PAGE = 10
PER_MENTOR_PER_PAGE = 2


class Model:
    """A built model: arrays only (content vectors, item neighbours, popularity, mentor features),
    saved as one compact numpy file. Loading it runs no pickle."""

    def __init__(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        self.arrays = arrays
        a = arrays
        self.build_id = str(a["build_id"][0])
        self.built_at = int(a["built_at"][0])
        self.item_ids: list[str] = a["item_ids"].tolist()
        self.index_of = {item_id: i for i, item_id in enumerate(self.item_ids)}
        self.titles: list[str] = a["titles"].tolist()
        self.item_mentor: I32 = a["item_mentor"]
        self.starts_at = a["starts_at"]
        self.bookable = a["bookable"]
        self.price = a["price_paise"]
        self.item_level: I32 = a["item_level"]
        self.level_names: list[str] = a["level_names"].tolist()
        self.support: I32 = a["support"]
        self.trend: F32 = a["trend"]
        self.neighbours: I32 = a["neighbours"]
        self.ease_items: I32 = a["ease_items"]
        self.ease_weights: F32 = a["ease_weights"].astype(np.float32)
        self.ease_position = np.full(len(a["item_ids"]), -1, dtype=np.int32)
        self.ease_position[self.ease_items] = np.arange(len(self.ease_items), dtype=np.int32)
        self.similarity: F32 = a["similarity"].astype(np.float32)
        self.cold_items: I32 = a["cold_items"]
        self.cold_neighbours: I32 = a["cold_neighbours"]
        self.cold_similarity: F32 = a["cold_similarity"].astype(np.float32)
        self.content = content.ContentIndex(
            vocab=a["vocab"].tolist(),
            display=a["vocab_display"].tolist(),
            idf=a["idf"],
            indptr=a["c_indptr"],
            indices=a["c_indices"],
            data=a["c_data"],
        )
        self.mentors = matching.Mentors.from_arrays(a, self.content)
        self.n_items = len(self.item_ids)

    # ------------------------------------------------------------------ storage
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, allow_pickle=False, **self.arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        """A model from `to_bytes`' output; ValueError for anything else (truncated, corrupt, pickled,
        an array missing), so a caller keeps the model it has."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
                return cls({name: loaded[name] for name in loaded.files})
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, IndexError, ValueError) as error:
            raise ValueError(f"not a recommendation model artefact: {error}") from error

    def has_item(self, item_id: str) -> bool:
        return item_id in self.index_of

    # ------------------------------------------------------------------ ranking
    def _allowed(self, now: int, exclude: set[str] | None) -> npt.NDArray[np.bool_]:
        allowed = self.bookable & ((self.starts_at == 0) | (self.starts_at > now))
        if exclude:
            excluded = [self.index_of[i] for i in exclude if i in self.index_of]
            if excluded:
                allowed = allowed.copy()
                allowed[excluded] = False
        return allowed

    def _history(self, learner: Learner, now: int) -> tuple[I32, F32, F32]:
        """The learner's known history items, their summed weights, and those weights decayed by age
        (positive only: a disliked session is no guide to taste). Age counts back from the learner's
        own latest event, not from `now`: after a quiet half year their last bookings still say the
        most about them."""
        known = [(self.index_of[i], w, at) for i, w, at in learner.history if i in self.index_of]
        if not known:
            empty = np.zeros(0, dtype=np.float32)
            return np.zeros(0, dtype=np.int32), empty, empty.copy()
        latest = min(now, max(at for _, _, at in known)) if now else max(at for _, _, at in known)
        raw: dict[int, float] = {}
        decayed: dict[int, float] = {}
        for item, weight, at in known:
            raw[item] = raw.get(item, 0.0) + weight
            age = max(0, latest - at)
            decayed[item] = decayed.get(item, 0.0) + weight * 2.0 ** (-age / PROFILE_HALF_LIFE_SECONDS)
        items = [i for i, w in raw.items() if w > 0 and decayed[i] > 0]
        return (
            np.asarray(items, dtype=np.int32),
            np.asarray([raw[i] for i in items], dtype=np.float32),
            np.asarray([decayed[i] for i in items], dtype=np.float32),
        )

    def _interest_tokens(self, learner: Learner) -> dict[str, float]:
        """What the learner chose (interests, skills) and the languages they speak, as content tokens:
        a Hindi speaker's sessions in Hindi rank above the same topic in a language they do not speak."""
        tokens: dict[str, float] = {}
        for language in learner.languages:
            if content.token_of(language):
                tokens[f"lang:{content.token_of(language)}"] = content.LANGUAGE_FACTOR
        for skill in learner.skills:
            tokens[content.token_of(skill)] = 0.5
        for interest in learner.interests:
            tokens[content.token_of(interest)] = 1.0
        return tokens

    def component_scores(self, learner: Learner, now: int) -> dict[str, F32]:
        """Each signal's raw score for every item (the evaluator measures them one by one)."""
        items, raw, decayed = self._history(learner, now)
        interest = self.content.scores(self.content.profile_of_tokens(self._interest_tokens(learner)))
        liked = self.content.scores(self.content.profile_of_items(items, decayed))
        cf = collaborative.scores_from_history(self.neighbours, self.similarity, items, decayed, self.n_items)
        ease = np.zeros(self.n_items, dtype=np.float32)
        inside = self.ease_position[items] >= 0 if len(items) else np.zeros(0, dtype=np.bool_)
        if inside.any():
            rows = self.ease_weights[self.ease_position[items[inside]]]
            ease[self.ease_items] = decayed[inside] @ rows
        cf[self.ease_position >= 0] = 0.0  # the tail: what EASE does not cover
        if len(items) and len(self.cold_items):
            weights = np.zeros(self.n_items, dtype=np.float32)
            weights[items] = decayed
            cold = (self.cold_similarity * weights[self.cold_neighbours]).sum(axis=1)
            cf[self.cold_items] += cold
        mentor = np.zeros(self.n_items, dtype=np.float32)
        known = self.item_mentor[items] if len(items) else np.zeros(0, dtype=np.int32)
        if len(known) and (known >= 0).any():
            affinity = np.zeros(self.mentors.count + 1, dtype=np.float32)
            kept = np.where(raw >= BOOKING_WEIGHT, raw, 0.0)  # booked, and not rated below 3 stars
            np.add.at(affinity, known, kept)  # -1 (no mentor) lands in the spare last slot
            affinity[-1] = 0.0
            mentor = np.maximum(affinity[self.item_mentor], 0.0)
        new = np.where(self.support == 0, self.mentors.prior[self.item_mentor], 0.0).astype(np.float32)
        return {
            "interest": interest,
            "similar": liked,
            "co_booked": ease,
            "co_booked_tail": cf,
            "mentor": mentor,
            "trending": self.trend,
            "new": new,
        }

    @staticmethod
    def blend_weights(history_items: int) -> dict[str, float]:
        """A new learner leans on what they follow and what is popular; each item they book shifts
        weight to collaborative filtering (half of it by CF_HALF_HISTORY items)."""
        cf = history_items / (history_items + CF_HALF_HISTORY)
        rest = 1.0 - cf
        return {
            "interest": rest * CONTENT_SHARE + CONTENT_FLOOR * cf,
            "similar": rest * CONTENT_SHARE * 0.5 + CONTENT_FLOOR * cf,
            "co_booked": cf,
            "co_booked_tail": cf * TAIL_SHARE,
            "mentor": MENTOR_SHARE,
            "trending": rest * (1.0 - CONTENT_SHARE) + TREND_SHARE * cf,
            "new": NEW_SHARE,
        }

    def blended(
        self,
        learner: Learner,
        now: int,
        allowed: npt.NDArray[np.bool_],
        weights: dict[str, float] | None = None,
    ) -> tuple[F32, dict[str, F32]]:
        parts = self.component_scores(learner, now)
        if weights is None:
            history_items = len({i for i, w, _ in learner.history if w > 0 and i in self.index_of})
            weights = self.blend_weights(history_items)
        total = np.zeros(self.n_items, dtype=np.float32)
        shares: dict[str, F32] = {}
        for name, scores in parts.items():
            if weights.get(name, 0.0) <= 0:
                continue
            top = float(scores[allowed].max()) if allowed.any() else 0.0
            if top <= 0:
                continue
            candidates = np.flatnonzero(allowed & (scores > 0))
            if len(candidates) > RANK_DEPTH:
                candidates = candidates[np.argpartition(-scores[candidates], RANK_DEPTH - 1)[:RANK_DEPTH]]
            ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
            share = np.zeros(self.n_items, dtype=np.float32)
            share[ordered] = weights[name] * RANK_K / (RANK_K + np.arange(len(ordered), dtype=np.float32))
            shares[name] = share
            total += share
        return total, shares

    def recommend(self, learner: Learner, k: int, now: int) -> list[Pick]:
        """The served blend: bookable items starting after `now`, not booked, diversified, reasoned."""
        allowed = self._allowed(now, learner.booked)
        if k <= 0 or not allowed.any():
            return []
        total, shares = self.blended(learner, now, allowed)
        chosen = self._diversified(total, allowed, k)
        items, raw, _ = self._history(learner, now)
        named: Counter[int] = Counter()  # history items a reason already named: vary them down the page
        picks = []
        for i in chosen:
            reason = self._reason(i, shares, learner, items, raw, named)
            if reason.kind in ("co_booked", "similar") and reason.about in self.index_of:
                named[self.index_of[reason.about]] += 1
            picks.append(Pick(self.item_ids[i], float(total[i]), reason))
        return picks

    def ranking(self, scores: F32, allowed: npt.NDArray[np.bool_], k: int) -> list[int]:
        """The best k allowed items by score (ties by catalogue order), no diversity."""
        candidates = np.flatnonzero(allowed)
        if len(candidates) == 0:
            return []
        values = scores[candidates]
        if len(candidates) > k:
            top = np.argpartition(-values, k - 1)[:k]
            candidates, values = candidates[top], values[top]
        order = np.lexsort((candidates, -values))
        return candidates[order].tolist()

    def _diversified(self, scores: F32, allowed: npt.NDArray[np.bool_], k: int) -> list[int]:
        """At most PER_MENTOR_PER_PAGE items of one mentor in each page of PAGE; an item held back
        goes first into the next page; when too few mentors remain, the cap gives way."""
        ranked = self.ranking(scores, allowed, min(int(allowed.sum()), 3 * k + 30))
        chosen: list[int] = []
        waiting = ranked
        while len(chosen) < k and waiting:
            per_mentor: Counter[int] = Counter()
            page: list[int] = []
            held: list[int] = []
            for item in waiting:
                if len(page) == PAGE or len(chosen) + len(page) == k:
                    held.append(item)
                    continue
                mentor = int(self.item_mentor[item])
                if mentor >= 0 and per_mentor[mentor] >= PER_MENTOR_PER_PAGE:
                    held.append(item)
                    continue
                per_mentor[mentor] += 1
                page.append(item)
            if not page:  # only capped mentors left: take them as they come
                page = held[: min(PAGE, k - len(chosen))]
                held = held[len(page) :]
            chosen.extend(page)
            waiting = held
        return chosen[:k]

    def _reason(
        self,
        item: int,
        shares: dict[str, F32],
        learner: Learner,
        history: I32,
        raw: F32,
        named: Counter[int] | None = None,
    ) -> Reason:
        strongest = max(shares, key=lambda name: float(shares[name][item]), default=None)
        if strongest is None or float(shares[strongest][item]) <= 0:
            return Reason("new", "New on PeerLearn", self.item_ids[item])
        # A reason about the learner reads better than "popular": say it when it carried enough.
        personal = [name for name in shares if name not in ("trending", "new")]
        mine = max(personal, key=lambda name: float(shares[name][item]), default=None)
        if mine is not None and shares[mine][item] >= PERSONAL_REASON_SHARE * shares[strongest][item] > 0:
            strongest = mine
        if strongest == "interest":
            token = self._shared_token(item, self._interest_tokens(learner))
            if token is not None:
                return Reason("interest", f"Because you follow {token}", token)
        if strongest in ("co_booked", "co_booked_tail") and len(history):
            source = self._co_booked_source(item, history, raw, named or Counter())
            if source is not None:
                title = self.titles[source]
                return Reason(
                    "co_booked", f"Learners who booked {title} also booked this", self.item_ids[source]
                )
            strongest = "similar"
        if strongest == "similar" and len(history):
            cosines = np.asarray([self.content.cosine(item, int(h)) for h in history.tolist()])
            seen = np.asarray([(named or Counter())[int(h)] for h in history.tolist()], dtype=np.float64)
            source = int(history[int(np.argmax(cosines / (1.0 + seen)))])
            return Reason("similar", f"Like {self.titles[source]}, which you booked", self.item_ids[source])
        if strongest == "mentor":
            mentor = int(self.item_mentor[item])
            mine = self.item_mentor[history] == mentor
            best = float(raw[mine].max()) if mine.any() else 0.0
            stars = stars_of(best)
            name = self.mentors.names[mentor]
            if stars is not None:
                return Reason(
                    "mentor", f"From {name}, whose session you rated {stars} stars", self.mentors.ids[mentor]
                )
            return Reason("mentor", f"From {name}, whose session you booked", self.mentors.ids[mentor])
        if strongest == "new":
            mentor = int(self.item_mentor[item])
            rating = self.mentors.rating_average[mentor] if mentor >= 0 else math.nan
            if not math.isnan(rating):
                return Reason("new", f"New from a mentor rated {rating:.1f}", self.mentors.ids[mentor])
        if self.trend[item] > 0:
            return Reason("trending", POPULAR_TEXT, self.item_ids[item])
        # Nobody booked it (or not lately): never call it popular.
        return Reason("new", "New on PeerLearn", self.item_ids[item])

    def _co_booked_source(self, item: int, history: I32, raw: F32, named: Counter[int]) -> int | None:
        """The history item that most made collaborative filtering pick `item`: EASE's weight when
        both are in its block, else the item-kNN similarity (None when neither links them)."""
        contributions = np.zeros(len(history), dtype=np.float32)
        column = self.ease_position[item]
        if column >= 0:
            rows = self.ease_position[history]
            inside = rows >= 0
            contributions[inside] = self.ease_weights[rows[inside], column] * raw[inside]
        if contributions.max(initial=0.0) <= 0:
            linked = self.neighbours[history] == item
            contributions = (self.similarity[history] * linked).sum(axis=1) * raw
        if contributions.max(initial=0.0) <= 0:
            return None
        # Among the items that did contribute, one not named yet reads better than the same title again.
        seen = np.asarray([named[int(h)] for h in history.tolist()], dtype=np.float32)
        return int(history[int(np.argmax(contributions / (1.0 + seen)))])

    def _shared_token(self, item: int, tokens: dict[str, float]) -> str | None:
        """The display name of the item's token that weighs most in `tokens` (None when none is shared)."""
        columns, values = self.content.row(item)
        best, best_value = None, 0.0
        for column, value in zip(columns.tolist(), values.tolist(), strict=True):
            if ":" in self.content.vocab[column]:
                continue  # "lang:hi" and "level:beginner" are not things one follows
            weight = tokens.get(self.content.vocab[column], 0.0) * value
            if weight > best_value:
                best, best_value = column, weight
        return None if best is None else self.content.display[best]

    def similar(self, item_id: str, k: int, now: int, exclude: set[str] | None = None) -> list[Pick]:
        item = self.index_of.get(item_id)
        if item is None or k <= 0:
            return []
        allowed = self._allowed(now, (exclude or set()) | {item_id})
        if not allowed.any():
            return []
        co_booked = np.zeros(self.n_items, dtype=np.float32)
        np.add.at(co_booked, self.neighbours[item], self.similarity[item])
        position = np.flatnonzero(self.cold_items == item)
        if len(position):
            np.add.at(co_booked, self.cold_neighbours[position[0]], self.cold_similarity[position[0]])
        alike = self.content.similar_to(item)
        mentor = int(self.item_mentor[item])
        same = (self.item_mentor == mentor).astype(np.float32) if mentor >= 0 else np.zeros_like(alike)
        shares: dict[str, F32] = {}
        for name, scores, weight in (
            ("co_booked", co_booked, 1.0),
            ("similar", alike, 0.4),
            ("mentor", same, 0.15),
        ):
            top = float(scores[allowed].max())
            if top > 0:
                shares[name] = ((weight / top) * np.maximum(scores, 0.0)).astype(np.float32)
        total = sum(shares.values(), np.zeros(self.n_items, dtype=np.float32))
        picks = []
        title = self.titles[item]
        for chosen in self._diversified(total, allowed, k):
            strongest = max(shares, key=lambda name: float(shares[name][chosen]), default="similar")
            if strongest == "co_booked" and co_booked[chosen] > 0:
                reason = Reason("co_booked", f"Learners who booked {title} also booked this", item_id)
            elif strongest == "mentor" and mentor >= 0:
                reason = Reason("mentor", f"Also from {self.mentors.names[mentor]}", self.mentors.ids[mentor])
            else:
                reason = Reason("similar", f"Like {title}", item_id)
            picks.append(Pick(self.item_ids[chosen], float(total[chosen]), reason))
        return picks

    def trending(self, k: int, now: int, exclude: set[str] | None = None) -> list[Pick]:
        allowed = self._allowed(now, exclude) & (self.trend > 0)
        if k <= 0 or not allowed.any():
            return []
        return [
            Pick(
                self.item_ids[i],
                float(self.trend[i]),
                Reason("trending", POPULAR_TEXT, self.item_ids[i]),
            )
            for i in self._diversified(self.trend, allowed, k)
        ]

    def mentors_for(self, learner: Learner, k: int) -> list[MentorPick]:
        items, raw, _ = self._history(learner, self.built_at)
        chosen = {t: w for t, w in self._interest_tokens(learner).items() if not t.startswith("lang:")}
        profile = self.content.profile_of_tokens(chosen)  # languages count in the language part
        profile += self.content.profile_of_items(items, raw)
        levels = self.item_level[items] if len(items) else np.zeros(0, dtype=np.int32)
        prices = self.price[items] if len(items) else np.zeros(0, dtype=np.int64)
        return self.mentors.rank(
            profile=profile,
            languages=learner.languages,
            timezone=learner.timezone,
            levels=levels[levels >= 0],
            prices=prices[prices > 0],
            k=k,
            at=self.built_at,
        )

    def demand_for(self, tags: list[str], k: int) -> list[Demand]:
        open_now = self._allowed(self.built_at, None)
        return self.mentors.demand(tags, k, open_now, self.arrays)


def _strings(values: list[str]) -> npt.NDArray[np.str_]:
    return np.asarray(values, dtype=np.str_) if values else np.zeros(0, dtype="<U1")


def build(data: BuildInput, *, build_id: str) -> Model:
    catalogue, events = data.catalogue, data.interactions
    n = len(catalogue.ids)
    now = data.now or (max(events.at) if events.at else 0)
    index_of = {item_id: i for i, item_id in enumerate(catalogue.ids)}

    def column(values: list[Any], default: Any) -> list[Any]:
        return list(values) if len(values) == n else [default] * n

    titles = [t or item_id for t, item_id in zip(column(catalogue.titles, ""), catalogue.ids, strict=True)]
    levels = column(catalogue.levels, None)
    languages = column(catalogue.languages, None)
    mentor_of = column(catalogue.mentor_ids, None)

    displays: dict[str, str] = {}
    tokens_per_item = []
    for tags, level, language in zip(catalogue.tags, levels, languages, strict=True):
        for tag in tags:
            displays.setdefault(content.token_of(tag), " ".join(tag.split()))
        tokens_per_item.append(content.item_tokens(tags, level, language))
    extra = [content.token_of(t) for m in data.mentors for t in m.expertise]
    extra += [content.token_of(t) for t in data.interest_counts]
    for mentor in data.mentors:
        for tag in mentor.expertise:
            displays.setdefault(content.token_of(tag), " ".join(tag.split()))
    for tag in data.interest_counts:
        displays.setdefault(content.token_of(tag), " ".join(tag.split()))
    index = content.build_content(tokens_per_item, displays, [t for t in extra if t])

    # Interactions on items the catalogue knows.
    known = [
        (u, index_of[i], a, w)
        for u, i, a, w in zip(events.user_ids, events.item_ids, events.at, events.weight, strict=True)
        if i in index_of
    ]
    user_code: dict[str, int] = {}
    users = np.asarray([user_code.setdefault(u, len(user_code)) for u, _, _, _ in known], dtype=np.int64)
    items = np.asarray([i for _, i, _, _ in known], dtype=np.int64)
    at = np.asarray([a for _, _, a, _ in known], dtype=np.int64)
    weight = np.asarray([w for _, _, _, w in known], dtype=np.float64)

    positive = weight > 0
    age = np.maximum(0, now - at[positive]).astype(np.float64)
    trend = np.bincount(
        items[positive], weights=weight[positive] * np.exp2(-age / trending.HALF_LIFE_SECONDS), minlength=n
    ).astype(np.float32)

    u, i, v = collaborative.user_item_matrix(users, items, weight, n)
    support = np.bincount(i, minlength=n).astype(np.int32)
    neighbours, similarity = collaborative.item_knn(u, i, v, n)
    ease_items, ease_weights = collaborative.ease(u, i, n)

    mentor_code = {m.id: j for j, m in enumerate(data.mentors)}
    for m in mentor_of:
        if m is not None and m not in mentor_code:
            mentor_code[m] = len(mentor_code)
    item_mentor = np.asarray([mentor_code[m] if m is not None else -1 for m in mentor_of], dtype=np.int32)

    cold_items, cold_neighbours, cold_similarity = _cold_rows(
        index, item_mentor, support, neighbours.shape[1]
    )

    level_names = sorted({content.token_of(x) for x in levels if x})
    level_code = {name: j for j, name in enumerate(level_names)}
    item_level = np.asarray([level_code[content.token_of(x)] if x else -1 for x in levels], dtype=np.int32)

    arrays: dict[str, npt.NDArray[Any]] = {
        "build_id": _strings([build_id]),
        "built_at": np.asarray([now], dtype=np.int64),
        "item_ids": _strings(list(catalogue.ids)),
        "titles": _strings(titles),
        "item_mentor": item_mentor,
        "starts_at": np.asarray(column(catalogue.starts_at, 0), dtype=np.int64),
        "bookable": np.asarray(column(catalogue.bookable, True), dtype=np.bool_),
        "price_paise": np.asarray(column(catalogue.price_paise, 0), dtype=np.int64),
        "item_level": item_level,
        "level_names": _strings(level_names),
        "support": support,
        "trend": trend,
        "neighbours": neighbours,
        "ease_items": ease_items,
        "ease_weights": ease_weights.astype(np.float16),
        "similarity": similarity.astype(np.float16),
        "cold_items": cold_items,
        "cold_neighbours": cold_neighbours,
        "cold_similarity": cold_similarity.astype(np.float16),
        "vocab": _strings(index.vocab),
        "vocab_display": _strings(index.display),
        "idf": index.idf,
        "c_indptr": index.indptr,
        "c_indices": index.indices,
        "c_data": index.data,
    }
    names_by_code = [""] * len(mentor_code)
    for m in data.mentors:
        names_by_code[mentor_code[m.id]] = m.name
    mentor_ids_by_code = [""] * len(mentor_code)
    for m_id, code in mentor_code.items():
        mentor_ids_by_code[code] = m_id
    arrays.update(
        matching.mentor_arrays(
            data.mentors,
            mentor_ids_by_code,
            names_by_code,
            index,
            item_mentor,
            item_level,
            np.asarray(column(catalogue.starts_at, 0), dtype=np.int64),
            data.interest_counts,
            data.waitlist_counts,
            column(catalogue.seats_left, 0),
        )
    )
    return Model(arrays)


def _cold_rows(index: content.ContentIndex, item_mentor: I32, support: I32, k: int) -> tuple[I32, I32, F32]:
    """Neighbours for items too few learners booked: the items most like them by tags, and the same
    mentor's other items (a new session from a mentor someone booked is a good bet for them)."""
    n = index.n_items
    cold = np.flatnonzero(support < COLD_SUPPORT).astype(np.int32)
    neighbours = np.zeros((len(cold), k), dtype=np.int32)
    similarity = np.zeros((len(cold), k), dtype=np.float32)
    if len(cold) == 0 or n < 2:
        return cold, neighbours, similarity
    rows = np.repeat(np.arange(len(index.indptr) - 1), np.diff(index.indptr))
    by_token_items, by_token_values = _columns(index, rows)
    by_mentor: dict[int, list[int]] = {}
    for item, mentor in enumerate(item_mentor.tolist()):
        if mentor >= 0:
            by_mentor.setdefault(mentor, []).append(item)
    unbooked = support == 0  # a neighbour nobody booked carries no signal from a history
    for position, item in enumerate(cold.tolist()):
        scores = np.zeros(n, dtype=np.float32)
        columns, values = index.row(item)
        for column, value in zip(columns.tolist(), values.tolist(), strict=True):
            scores[by_token_items[column]] += value * by_token_values[column]
        mentor = int(item_mentor[item])
        if mentor >= 0:
            scores[by_mentor[mentor]] += COLD_MENTOR_SIM
        scores[item] = 0.0
        scores[unbooked] = 0.0
        take = min(k, n - 1)
        top = np.argpartition(-scores, take - 1)[:take]
        top = top[np.argsort(-scores[top], kind="stable")]
        neighbours[position, :take] = top
        similarity[position, :take] = scores[top]
    return cold, neighbours, similarity


def _columns(
    index: content.ContentIndex, rows: npt.NDArray[np.int64]
) -> tuple[list[npt.NDArray[np.int64]], list[F32]]:
    order = np.argsort(index.indices, kind="stable")
    bounds = np.searchsorted(index.indices[order], np.arange(len(index.vocab) + 1))
    items = [rows[order[bounds[c] : bounds[c + 1]]] for c in range(len(index.vocab))]
    values = [index.data[order[bounds[c] : bounds[c + 1]]] for c in range(len(index.vocab))]
    return items, values
