"""Building a model from a `BuildInput`: content vectors, collaborative neighbours and EASE weights,
decayed popularity (its half-life chosen on the build's own latest events), cold-start neighbours,
mentor and demand arrays. numpy only; nothing here knows the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from peerlearn.recommend import collaborative, content, matching, popularity
from peerlearn.recommend.arrays import strings
from peerlearn.recommend.contract import BuildInput
from peerlearn.recommend.ranking import COLD_MENTOR_SIM, COLD_SUPPORT, F32, I32, Model


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

    half_life = popularity.choose_half_life(users, items, weight, at, n)
    trend = popularity.decayed(items, weight, at, now, half_life.half_life_seconds, n)

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
        "build_id": strings([build_id]),
        "built_at": np.asarray([now], dtype=np.int64),
        "item_ids": strings(list(catalogue.ids)),
        "titles": strings(titles),
        "item_mentor": item_mentor,
        "starts_at": np.asarray(column(catalogue.starts_at, 0), dtype=np.int64),
        "bookable": np.asarray(column(catalogue.bookable, True), dtype=np.bool_),
        "price_paise": np.asarray(column(catalogue.price_paise, 0), dtype=np.int64),
        "item_level": item_level,
        "level_names": strings(level_names),
        "support": support,
        "trend": trend,
        "trend_half_life_seconds": np.asarray([half_life.half_life_seconds], dtype=np.int64),
        "trend_validation_users": np.asarray([half_life.validation_users], dtype=np.int64),
        "neighbours": neighbours,
        "ease_items": ease_items,
        "ease_weights": ease_weights.astype(np.float16),
        "similarity": similarity.astype(np.float16),
        "cold_items": cold_items,
        "cold_neighbours": cold_neighbours,
        "cold_similarity": cold_similarity.astype(np.float16),
        "vocab": strings(index.vocab),
        "vocab_display": strings(index.display),
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
