"""The model's decayed popularity, and its half-life chosen by measurement on each build's own data.

The live TRENDING index (`trending.HALF_LIFE_SECONDS`, 7 days) is the product's "this week". The
model's popularity is a ranking signal for the blend (and the trending fallback before the index has
anything), and how fast it should forget depends on the catalogue: films stay wanted for years, a
session is bookable for weeks. So each build measures it: the build's latest events (by time,
VALIDATION_SHARE of them) are held out, decayed popularity from the events before them is scored with
each half-life of HALF_LIFE_GRID (recall@VALIDATION_K of what each learner did next, seen items
excluded), and the best one is kept; with fewer than MIN_VALIDATION_USERS learners to check it on,
the product's `trending.HALF_LIFE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peerlearn.recommend import trending

DAY_SECONDS = 24 * 3600
HALF_LIFE_GRID = tuple(days * DAY_SECONDS for days in (1, 3, 7, 14, 30, 90, 180, 365, 730))
VALIDATION_SHARE = 0.1
VALIDATION_K = 10
MIN_VALIDATION_USERS = 20
MAX_VALIDATION_USERS = 5_000  # a bound on the build's time at 100,000 learners (a fixed sample)

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Choice:
    half_life_seconds: int
    validation_users: int
    recall: dict[int, float]  # half-life -> recall@VALIDATION_K on the held-out slice (empty: not measured)


def decayed(items: I64, weights: F64, at: I64, now: int, half_life_seconds: float, n_items: int) -> F32:
    """Each item's summed positive weight, halved every `half_life_seconds` before `now`."""
    positive = weights > 0
    age = np.maximum(0, now - at[positive]).astype(np.float64)
    return np.bincount(
        items[positive], weights=weights[positive] * np.exp2(-age / half_life_seconds), minlength=n_items
    ).astype(np.float32)


def choose_half_life(users: I64, items: I64, weights: F64, at: I64, n_items: int) -> Choice:
    """The half-life of HALF_LIFE_GRID whose decayed popularity best predicts the latest
    VALIDATION_SHARE of these events from the ones before (see the module's docstring)."""
    fallback = Choice(trending.HALF_LIFE_SECONDS, 0, {})
    if len(at) == 0:
        return fallback
    order = np.argsort(at, kind="stable")
    cut = int(len(order) * (1.0 - VALIDATION_SHARE))
    if cut <= 0 or cut >= len(order):
        return fallback
    cutoff = int(at[order[cut]])
    before = at < cutoff
    after = ~before & (weights > 0)
    seen: dict[int, set[int]] = {}
    for user, item in zip(users[before].tolist(), items[before].tolist(), strict=True):
        seen.setdefault(user, set()).add(item)
    wanted: dict[int, set[int]] = {}
    for user, item in zip(users[after].tolist(), items[after].tolist(), strict=True):
        if item not in seen.get(user, ()):
            wanted.setdefault(user, set()).add(item)
    checked = sorted(wanted)
    if len(checked) < MIN_VALIDATION_USERS:
        return Choice(trending.HALF_LIFE_SECONDS, len(checked), {})
    if len(checked) > MAX_VALIDATION_USERS:
        picked = np.random.default_rng(0).choice(len(checked), MAX_VALIDATION_USERS, replace=False)
        checked = [checked[i] for i in sorted(picked.tolist())]
    now = int(at[before].max()) if before.any() else cutoff
    recall: dict[int, float] = {}
    for half_life in HALF_LIFE_GRID:
        scores = decayed(items[before], weights[before], at[before], now, half_life, n_items)
        ranked = np.argsort(-scores, kind="stable").tolist()
        total = 0.0
        for user in checked:
            mine, target = seen.get(user, set()), wanted[user]
            top: list[int] = []
            for item in ranked:
                if item not in mine:
                    top.append(item)
                    if len(top) == VALIDATION_K:
                        break
            total += len(target.intersection(top)) / min(VALIDATION_K, len(target))
        recall[half_life] = total / len(checked)
    best = max(HALF_LIFE_GRID, key=lambda h: (recall[h], h == trending.HALF_LIFE_SECONDS))
    return Choice(best, len(checked), recall)
