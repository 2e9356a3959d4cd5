"""Mentors and learners: a mentor's score for a learner (expertise vs interests, language, level, the
learner's evenings vs the mentor's usual hours, a Bayesian rating, price fit), and, for a mentor, the
demand for their tags that open sessions do not meet."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from peerlearn.recommend import content
from peerlearn.recommend.arrays import strings
from peerlearn.recommend.contract import Demand, MentorPick, MentorProfile

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]

# A mentor's score: each part in 0..1, weighted. Expertise matters most; rating and language next.
WEIGHTS = {"expertise": 0.45, "language": 0.15, "rating": 0.15, "hours": 0.1, "level": 0.1, "price": 0.05}
RATING_PRIOR_COUNT = 5  # a mentor's average counts as if 5 ratings of the overall mean came first
# Local start times a learner is most likely free for: 18:00 to 22:30, in half-hour buckets. Half
# hours, not hours, because India (+5:30), the product's main market, is half an hour off UTC's grid.
BUCKETS_PER_DAY = 48
BUCKET_SECONDS = 24 * 3600 // BUCKETS_PER_DAY
EVENING_BUCKETS = range(18 * 2, 23 * 2)


@dataclass
class Mentors:
    ids: list[str]
    names: list[str]
    expertise: list[list[int]]  # content columns
    expertise_display: list[list[str]]
    languages: list[set[str]]
    timezones: list[str]
    hours: F32  # mentors x 48: share of their sessions starting in each UTC half hour
    rating_average: F32  # nan: no ratings
    rating_count: I32
    bayes: F32  # Bayesian average, 0..5
    median_price: npt.NDArray[np.int64]  # 0: unknown
    level_share: F32  # mentors x levels: share of their sessions at each level
    vectors: F32  # mentors x vocabulary, L2-normalised expertise
    index: content.ContentIndex

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def prior(self) -> F32:
        """0..1 per mentor code (and 0 for no mentor at index -1): how good a bet an unbooked session is."""
        return np.append(self.bayes / 5.0, 0.0).astype(np.float32)

    @classmethod
    def from_arrays(cls, a: dict[str, npt.NDArray[Any]], index: content.ContentIndex) -> Mentors:
        indptr = a["m_expertise_indptr"]
        columns = a["m_expertise"]
        expertise = [columns[indptr[j] : indptr[j + 1]].tolist() for j in range(len(indptr) - 1)]
        langs = [set(filter(None, s.split("|"))) for s in a["m_languages"].tolist()]
        vectors = np.zeros((len(expertise), len(index.vocab)), dtype=np.float32)
        for j, cols in enumerate(expertise):
            if cols:
                vectors[j, cols] = index.idf[cols]
                vectors[j] /= np.linalg.norm(vectors[j])
        return cls(
            ids=a["m_ids"].tolist(),
            names=a["m_names"].tolist(),
            expertise=expertise,
            expertise_display=[[index.display[c] for c in cols] for cols in expertise],
            languages=langs,
            timezones=a["m_timezones"].tolist(),
            hours=a["m_half_hours"],
            rating_average=a["m_rating_average"],
            rating_count=a["m_rating_count"],
            bayes=a["m_bayes"],
            median_price=a["m_price"],
            level_share=a["m_level_share"],
            vectors=vectors,
            index=index,
        )

    def rank(
        self,
        *,
        profile: F32,
        languages: Sequence[str],
        timezone: str | None,
        levels: I32,
        prices: npt.NDArray[np.int64],
        k: int,
        at: int,
    ) -> list[MentorPick]:
        m = self.count
        if m == 0 or k <= 0:
            return []
        parts: dict[str, F32] = {}
        norm = float(np.linalg.norm(profile))
        parts["expertise"] = (self.vectors @ profile) / norm if norm > 0 else np.zeros(m, dtype=np.float32)
        wanted = {language.lower() for language in languages}
        parts["language"] = np.asarray(
            [1.0 if wanted & spoken else 0.0 for spoken in self.languages] if wanted else [0.5] * m,
            dtype=np.float32,
        )
        parts["rating"] = (self.bayes / 5.0).astype(np.float32)
        evenings = evening_buckets_utc(timezone, at)
        parts["hours"] = (
            self.hours[:, evenings].sum(axis=1) if evenings else np.full(m, 0.5, dtype=np.float32)
        )
        if len(levels) and self.level_share.shape[1]:
            mine = np.bincount(levels, minlength=self.level_share.shape[1]).astype(np.float32)
            parts["level"] = self.level_share @ (mine / mine.sum())
        else:
            parts["level"] = np.full(m, 0.5, dtype=np.float32)
        if len(prices):
            usual = float(np.median(prices))
            theirs = self.median_price.astype(np.float64)
            fit = np.exp(-np.abs(np.log(np.maximum(theirs, 1.0) / usual)))
            parts["price"] = np.where(theirs > 0, fit, 0.5).astype(np.float32)
        else:
            parts["price"] = np.full(m, 0.5, dtype=np.float32)
        total = sum((WEIGHTS[name] * scores for name, scores in parts.items()), np.zeros(m, dtype=np.float32))
        take = min(k, m)
        top = np.argpartition(-total, take - 1)[:take]
        top = top[np.lexsort((top, -total[top]))]
        picks = []
        for j in top.tolist():
            contributions = [(WEIGHTS[name] * float(parts[name][j]), name) for name in parts]
            contributions.sort(reverse=True)
            reasons = [
                text for _, name in contributions if (text := self._reason(name, j, parts, profile, wanted))
            ]
            picks.append(MentorPick(self.ids[j], float(total[j]), reasons))
        return picks

    def _reason(self, name: str, j: int, parts: dict[str, F32], profile: F32, wanted: set[str]) -> str | None:
        if name == "expertise" and parts[name][j] > 0:
            shared = [c for c in self.expertise[j] if profile[c] > 0]
            shared.sort(key=lambda c: -float(profile[c]))
            return "Teaches " + _and([self.index.display[c] for c in shared[:2]]) if shared else None
        if name == "language" and parts[name][j] >= 1.0:
            spoken = sorted(wanted & self.languages[j])
            return "Speaks " + _and(spoken)
        if name == "rating" and self.rating_count[j] > 0:
            return f"Rated {float(self.rating_average[j]):.1f} by {int(self.rating_count[j])} learners"
        if name == "hours" and parts[name][j] >= 0.5 and self.hours[j].any():
            return "Teaches in your evenings"
        if name == "level" and parts[name][j] >= 0.5 and self.level_share[j].any():
            return "Teaches at your level"
        if name == "price" and parts[name][j] >= 0.8 and self.median_price[j] > 0:
            return "Priced like the sessions you book"
        return None

    def demand(
        self, tags: Sequence[str], k: int, open_now: npt.NDArray[np.bool_], a: dict[str, npt.NDArray[Any]]
    ) -> list[Demand]:
        index = self.index
        interest = dict(zip(a["d_interest_tags"].tolist(), a["d_interest_counts"].tolist(), strict=True))
        waitlist = dict(zip(a["d_waitlist_tags"].tolist(), a["d_waitlist_counts"].tolist(), strict=True))
        seats = a["seats_left"]
        spelling: dict[str, str] = {}  # the mentor's own spelling of each of their tags, never a token
        for tag in tags:
            if content.token_of(tag):
                spelling.setdefault(content.token_of(tag), " ".join(tag.split()))
        mine = list(spelling)
        rows = index.row_of_nnz
        found: list[tuple[float, Demand]] = []

        def supply(token: str) -> tuple[int, int]:
            column = index.column_of.get(token)
            if column is None:
                return 0, 0
            with_tag = rows[index.indices == column]
            open_items = with_tag[open_now[with_tag]]
            return len(open_items), int(seats[open_items].sum())

        def display(token: str) -> str:
            column = index.column_of.get(token)
            return index.display[column] if column is not None else token

        for token in mine:
            learners, waiting = int(interest.get(token, 0)), int(waitlist.get(token, 0))
            sessions, seats_left = supply(token)
            unmet = learners + waiting - sessions
            if learners + waiting == 0 or unmet <= 0:
                continue  # nobody asks for it, or open sessions already meet what is asked
            tag = spelling[token]
            text = _demand_text(tag, learners, waiting, sessions)
            found.append((unmet, Demand(tag, learners, waiting, sessions, seats_left, text)))
        # Tags learners follow that often go with the mentor's tags and that no open session teaches.
        near = self._near_tags(mine)
        for token in near:
            if token in mine:
                continue
            learners, waiting = int(interest.get(token, 0)), int(waitlist.get(token, 0))
            sessions, seats_left = supply(token)
            if sessions or not (learners or waiting):
                continue
            text = _demand_text(display(token), learners, waiting, 0)
            found.append((learners + waiting, Demand(display(token), learners, waiting, 0, seats_left, text)))
        found.sort(key=lambda pair: -pair[0])
        return [d for _, d in found[:k]]

    def _near_tags(self, tokens: list[str]) -> list[str]:
        """Tags that appear on the same items as `tokens` (any item, past or upcoming), most often first."""
        index = self.index
        columns = [index.column_of[t] for t in tokens if t in index.column_of]
        if not columns:
            return []
        rows = index.row_of_nnz
        items = np.unique(rows[np.isin(index.indices, columns)])
        together = np.bincount(index.indices[np.isin(rows, items)], minlength=len(index.vocab))
        together[columns] = 0
        order = np.argsort(-together, kind="stable")
        return [index.vocab[c] for c in order[:20].tolist() if together[c] > 0 and ":" not in index.vocab[c]]


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _demand_text(tag: str, learners: int, waiting: int, sessions: int) -> str:
    wants = f"{learners} learners follow {tag}" if learners else f"{waiting} learners waited for {tag}"
    if learners and waiting:
        wants += f" and {waiting} waited for a seat"
    if sessions == 0:
        return f"{wants}; no upcoming session teaches it"
    if sessions == 1:
        return f"{wants}; 1 upcoming session teaches it"
    return f"{wants}; {sessions} upcoming sessions teach it"


def evening_buckets_utc(timezone: str | None, at: int) -> list[int]:
    """The UTC half-hour buckets (0 = 00:00-00:29 UTC) of the learner's evening at `at` (their zone's
    offset then, so summer time counts); [] when the zone is unknown."""
    if not timezone:
        return []
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return []
    moment = dt.datetime.fromtimestamp(at or 0, tz=dt.UTC)
    offset = moment.astimezone(zone).utcoffset() or dt.timedelta(0)
    shift = offset.total_seconds() / BUCKET_SECONDS
    return sorted({math.floor(bucket - shift) % BUCKETS_PER_DAY for bucket in EVENING_BUCKETS})


def mentor_arrays(
    mentors: Sequence[MentorProfile],
    ids: list[str],
    names: list[str],
    index: content.ContentIndex,
    item_mentor: I32,
    item_level: I32,
    item_starts: npt.NDArray[np.int64],
    interest_counts: dict[str, int],
    waitlist_counts: dict[str, int],
    seats_left: list[int],
) -> dict[str, npt.NDArray[Any]]:
    """The mentor and demand arrays of a build. `ids`/`names`: every mentor code, including mentors
    only the catalogue names (no profile: no expertise or rating). A mentor's hours are the start times
    of their sessions in the catalogue, to the minute; `usual_hours_utc` only for one with none there."""
    count = len(ids)
    profile_of = {m.id: m for m in mentors}
    indptr = [0]
    expertise: list[int] = []
    languages, timezones = [], []
    hours = np.zeros((count, BUCKETS_PER_DAY), dtype=np.float32)
    dated = item_starts > 0
    for j, start in zip(item_mentor[dated].tolist(), item_starts[dated].tolist(), strict=True):
        if j >= 0:
            hours[j, (start % 86_400) // BUCKET_SECONDS] += 1
    average = np.full(count, np.nan, dtype=np.float32)
    ratings = np.zeros(count, dtype=np.int32)
    price = np.zeros(count, dtype=np.int64)
    for j, mentor_id in enumerate(ids):
        m = profile_of.get(mentor_id)
        if m is not None:
            cols = {
                index.column_of[t] for tag in m.expertise if (t := content.token_of(tag)) in index.column_of
            }
            expertise.extend(sorted(cols))
            languages.append("|".join(sorted(x.lower() for x in m.languages)))
            timezones.append(m.timezone)
            if not hours[j].any():  # none of their sessions is in the catalogue: what the profile says
                for hour in m.usual_hours_utc:
                    hours[j, math.floor(hour * 2) % BUCKETS_PER_DAY] += 1
            if hours[j].sum() > 0:
                hours[j] /= hours[j].sum()
            if m.rating_average is not None and m.rating_count > 0:
                average[j], ratings[j] = m.rating_average, m.rating_count
            price[j] = m.median_price_paise or 0
        else:
            languages.append("")
            timezones.append("")
        indptr.append(len(expertise))
    rated = ratings > 0
    mean = float(np.average(average[rated], weights=ratings[rated])) if rated.any() else 4.0
    sums = np.where(rated, np.nan_to_num(average) * ratings, 0.0)
    bayes = ((RATING_PRIOR_COUNT * mean + sums) / (RATING_PRIOR_COUNT + ratings)).astype(np.float32)
    n_levels = int(item_level.max()) + 1 if len(item_level) else 0
    level_share = np.zeros((count, max(n_levels, 0)), dtype=np.float32)
    has = (item_mentor >= 0) & (item_level >= 0)
    if has.any():
        np.add.at(level_share, (item_mentor[has], item_level[has]), 1.0)
        totals = level_share.sum(axis=1, keepdims=True)
        level_share = np.divide(level_share, totals, out=np.zeros_like(level_share), where=totals > 0)

    interest = {content.token_of(t): c for t, c in interest_counts.items() if content.token_of(t)}
    waiting = {content.token_of(t): c for t, c in waitlist_counts.items() if content.token_of(t)}
    return {
        "m_ids": strings(ids),
        "m_names": strings(names),
        "m_expertise_indptr": np.asarray(indptr, dtype=np.int32),
        "m_expertise": np.asarray(expertise, dtype=np.int32),
        "m_languages": strings(languages),
        "m_timezones": strings(timezones),
        "m_half_hours": hours,
        "m_rating_average": average,
        "m_rating_count": ratings,
        "m_bayes": bayes,
        "m_price": price,
        "m_level_share": level_share,
        "d_interest_tags": strings(list(interest)),
        "d_interest_counts": np.asarray(list(interest.values()), dtype=np.int32),
        "d_waitlist_tags": strings(list(waiting)),
        "d_waitlist_counts": np.asarray(list(waiting.values()), dtype=np.int32),
        "seats_left": np.asarray(seats_left, dtype=np.int32),
    }
