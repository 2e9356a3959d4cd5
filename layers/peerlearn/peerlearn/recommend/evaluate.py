"""Offline evaluation of the engine on any interaction log: the same `build` + `Model.recommend` the
product serves, against popularity baselines, full ranking, items the user already has excluded.

    python -m peerlearn.recommend.evaluate --interactions FILE [--items FILE]
        [--protocol leave-last-out|time] [--k 10] [--json]

Interactions CSV: `user_id,item_id,timestamp[,rating]` (a rating becomes a booking plus the rating's
weight, as the product weighs a booked and rated session). Items CSV: `item_id,tags[,title]`, tags
separated by `|`. Protocols: `leave-last-out` holds out each user's last interaction (users with at
least two); `time` holds out everything at or after the 80th percentile of timestamps and tests the
users who have history before it and something new after it.

Models: `popularity` (how many learners had each item), `decayed_popularity` (the same, halved every
half-life the build chose on its own latest training events, as the served blend uses),
`content` (TF-IDF of the user's history), `collaborative` (the blend's EASE and item-kNN parts
alone), `served` (the blend), and for users treated as new (history hidden, their interests = the 3
tags most frequent in their history) `content_cold` against `random`, and `served_cold`: the blend a
new learner gets (their interests and trending).

No setting is tuned on the test users: the build picks its popularity half-life on the latest tenth
of its own (training) events, and the blend's constants are re-checked on a validation split carved
from the training rows (`validation_split`; `tune`), the test run using what that split prefers. The
test figures are computed once. `--json` adds to `decayed_popularity` the chosen half-life and to
`served` the blend settings used.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from peerlearn.recommend import metrics
from peerlearn.recommend.model import (
    TAIL_SHARE,
    Blend,
    BuildInput,
    Catalogue,
    Interactions,
    Learner,
    Model,
    build,
)
from peerlearn.recommend.weights import BOOKING_WEIGHT, rating_weight

PROTOCOLS = ("leave-last-out", "time")
TIME_SPLIT_QUANTILE = 0.8
# Tuning: a validation split carved from the training rows (never the test users' held-out rows).
# For the time protocol its cutoff is this quantile of the training period (the 60th percentile of
# the whole log when the test cutoff is its 80th).
VALIDATION_TIME_QUANTILE = 0.75
MIN_TUNING_USERS = 20
DAY_SECONDS = 24 * 3600
TUNING_GRID: dict[str, tuple[float, ...]] = {
    "trend_share": (0.1, 0.2, 0.3),
    "cf_half_history": (2.0, 5.0),
    "profile_half_life_seconds": (30.0 * DAY_SECONDS, 365.0 * DAY_SECONDS, 3650.0 * DAY_SECONDS),
}
COLD_INTERESTS = 3
COLLABORATIVE = {"co_booked": 1.0, "co_booked_tail": TAIL_SHARE}  # the blend's collaborative parts alone
MODELS = (
    "popularity",
    "decayed_popularity",
    "content",
    "collaborative",
    "served",
    "content_cold",
    "served_cold",
    "random",
)


class BadInput(Exception):
    """The files or options cannot be evaluated; the message says why."""


@dataclass
class Log:
    users: list[str]
    items: list[str]
    at: list[int]
    ratings: list[float | None]


@dataclass
class Items:
    ids: list[str]
    tags: list[list[str]]
    titles: list[str]


def read_interactions(path: Path) -> Log:
    rows = _rows(path, required=("user_id", "item_id", "timestamp"))
    log = Log([], [], [], [])
    for line, row in rows:
        try:
            at = int(float(row["timestamp"]))
            rating = float(row["rating"]) if row.get("rating") not in (None, "") else None
        except (ValueError, OverflowError) as error:  # "soon", "inf"
            raise BadInput(f"{path}:{line}: {error}") from None
        log.users.append(row["user_id"])
        log.items.append(row["item_id"])
        log.at.append(at)
        log.ratings.append(rating)
    return log


def read_items(path: Path) -> Items:
    rows = _rows(path, required=("item_id", "tags"))
    found = Items([], [], [])
    first_line: dict[str, int] = {}
    for line, row in rows:
        if row["item_id"] in first_line:
            raise BadInput(
                f"{path}:{line}: item {row['item_id']!r} again (first on line {first_line[row['item_id']]})"
            )
        first_line[row["item_id"]] = line
        found.ids.append(row["item_id"])
        found.tags.append([t for t in (row["tags"] or "").split("|") if t.strip()])
        found.titles.append(row.get("title") or row["item_id"])
    return found


def _rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name in required if name not in header]
            if not header:
                raise BadInput(f"{path}: empty file (expected a header {','.join(required)})")
            if missing:
                raise BadInput(f"{path}: missing column(s) {', '.join(missing)} (header: {','.join(header)})")
            rows = [(number, row) for number, row in enumerate(reader, start=2)]
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or error}") from None
    if not rows:
        raise BadInput(f"{path}: no rows after the header")
    return rows


@dataclass
class Split:
    train: list[int]  # row numbers of the log
    held_out: dict[str, set[str]]  # user -> items to find


def split(
    log: Log, protocol: str, rows: Sequence[int] | None = None, quantile: float = TIME_SPLIT_QUANTILE
) -> Split:
    """The protocol's split of the log (or of only `rows` of it: see `validation_split`)."""
    order = sorted(range(len(log.users)) if rows is None else rows, key=lambda r: (log.at[r], r))
    if protocol == "leave-last-out":
        last: dict[str, int] = {}
        count: Counter[str] = Counter()
        for row in order:
            last[log.users[row]] = row
            count[log.users[row]] += 1
        test_rows = {row for user, row in last.items() if count[user] >= 2}
        train = [row for row in order if row not in test_rows]
        seen: dict[str, set[str]] = {}
        for row in train:
            seen.setdefault(log.users[row], set()).add(log.items[row])
        held = {log.users[r]: {log.items[r]} - seen.get(log.users[r], set()) for r in test_rows}
        return Split(train, {user: items for user, items in held.items() if items})
    if protocol == "time":
        if not order:
            return Split([], {})
        times = sorted(log.at[row] for row in order)
        cutoff = times[min(len(times) - 1, int(quantile * len(times)))]
        train = [row for row in order if log.at[row] < cutoff]
        seen = {}
        for row in train:
            seen.setdefault(log.users[row], set()).add(log.items[row])
        held = {}
        for row in order:
            user = log.users[row]
            if log.at[row] >= cutoff and user in seen and log.items[row] not in seen[user]:
                held.setdefault(user, set()).add(log.items[row])
        return Split(train, held)
    raise BadInput(f"unknown protocol {protocol!r} (one of {', '.join(PROTOCOLS)})")


def event_weight(rating: float | None) -> float:
    """A rated item counts as a booking plus the rating's weight, as the product weighs them."""
    return BOOKING_WEIGHT if rating is None else BOOKING_WEIGHT + rating_weight(rating)


def build_input(log: Log, items: Items | None, rows: list[int]) -> BuildInput:
    ids = list(items.ids) if items else []
    tags = list(items.tags) if items else []
    titles = list(items.titles) if items else []
    known = set(ids)
    for item in log.items:
        if item not in known:
            known.add(item)
            ids.append(item)
            tags.append([])
            titles.append(item)
    interactions = Interactions(
        user_ids=[log.users[r] for r in rows],
        item_ids=[log.items[r] for r in rows],
        at=[log.at[r] for r in rows],
        weight=[event_weight(log.ratings[r]) for r in rows],
    )
    now = max(interactions.at) if interactions.at else 0
    return BuildInput(Catalogue(ids=ids, tags=tags, titles=titles), interactions, now=now)


def _top(scores: npt.NDArray[Any], seen: list[int], k: int, item_ids: list[str]) -> list[str]:
    scores = scores.astype(np.float64).copy()
    scores[seen] = -np.inf
    take = min(k, len(scores))
    top = np.argpartition(-scores, take - 1)[:take]
    top = top[np.lexsort((top, -scores[top]))]
    return [item_ids[i] for i in top.tolist() if scores[i] > -np.inf]


def validation_split(log: Log, chosen: Split, protocol: str) -> Split:
    """A split carved from `chosen`'s training rows only, to tune on without touching the test users'
    held-out rows: leave-last-out inside training (each user's second-to-last item overall), or for
    the time protocol an earlier cutoff inside the training period (its VALIDATION_TIME_QUANTILE)."""
    return split(log, protocol, chosen.train, VALIDATION_TIME_QUANTILE)


def _histories(log: Log, rows: list[int]) -> dict[str, list[tuple[str, float, int]]]:
    history: dict[str, list[tuple[str, float, int]]] = {}
    for row in rows:
        history.setdefault(log.users[row], []).append(
            (log.items[row], event_weight(log.ratings[row]), log.at[row])
        )
    return history


def _served_recall(
    model: Model, chosen: Split, history: dict[str, list[tuple[str, float, int]]], k: int, now: int
) -> float:
    users = sorted(chosen.held_out)
    ranked = []
    for user in users:
        mine = history.get(user, [])
        learner = Learner(user_id=user, history=mine, booked={i for i, _, _ in mine})
        ranked.append([pick.item_id for pick in model.recommend(learner, k, now)])
    return metrics.recall_at_k(ranked, [chosen.held_out[u] for u in users], k)


@dataclass
class Tuning:
    blend: Blend  # what the validation split preferred (the module's constants unless beaten)
    users: int  # validation users
    tried: dict[str, float]  # "name=value" -> validation recall@k


def tune(log: Log, items: Items | None, chosen: Split, protocol: str, k: int) -> Tuning:
    """Re-checks the blend's constants on `validation_split` (training rows only): one setting at a
    time over TUNING_GRID, keeping a value only if it beats the current one on validation recall@k.
    With fewer than MIN_TUNING_USERS validation users the constants stay."""
    validation = validation_split(log, chosen, protocol)
    current = Blend()
    if len(validation.held_out) < MIN_TUNING_USERS:
        return Tuning(current, len(validation.held_out), {})
    data = build_input(log, items, validation.train)
    model = build(data, build_id="validation")
    history = _histories(log, validation.train)

    def recall_of(blend: Blend) -> float:
        model.blend = blend
        return _served_recall(model, validation, history, k, data.now)

    best = recall_of(current)
    tried = {"constants": best}
    for name, values in TUNING_GRID.items():
        for value in values:
            if getattr(current, name) == value:
                continue
            candidate = replace(current, **{name: value})
            found = recall_of(candidate)
            tried[f"{name}={value:g}"] = found
            if found > best:
                best, current = found, candidate
    return Tuning(current, len(validation.held_out), tried)


def evaluate(
    log: Log, items: Items | None, protocol: str, k: int, seed: int = 7, tuning: Tuning | None = None
) -> dict[str, dict[str, float]]:
    """The test figures, once, with the blend the validation split (training rows only) preferred
    (`tune`, unless `tuning` is given)."""
    if k < 1:
        raise BadInput("--k must be at least 1")
    chosen = split(log, protocol)
    if not chosen.held_out:
        raise BadInput(f"no user has anything to hold out under {protocol!r}")
    tuned = tuning or tune(log, items, chosen, protocol, k)
    data = build_input(log, items, chosen.train)
    model = build(data, build_id="evaluation")
    model.blend = tuned.blend
    now = data.now
    history = _histories(log, chosen.train)
    n = model.n_items
    index = np.asarray([model.index_of[i] for i in data.interactions.item_ids], dtype=np.int64)
    popularity = np.bincount(index, minlength=n).astype(np.float64)
    age = np.maximum(0, now - np.asarray(data.interactions.at, dtype=np.float64))
    # the half-life the build chose on its own latest training events, as the served blend uses
    decayed = np.bincount(index, weights=np.exp2(-age / model.trend_half_life_seconds), minlength=n)
    rng = np.random.default_rng(seed)
    tags_of = dict(zip(data.catalogue.ids, data.catalogue.tags, strict=True))

    users = sorted(chosen.held_out)
    ranked: dict[str, list[list[str]]] = {name: [] for name in MODELS}
    for user in users:
        mine = history.get(user, [])
        seen = sorted({model.index_of[i] for i, _, _ in mine})
        unseen = np.ones(n, dtype=np.bool_)
        unseen[seen] = False
        booked = {i for i, _, _ in mine}
        learner = Learner(user_id=user, history=mine, booked=booked)
        parts = model.component_scores(learner, now)
        ranked["popularity"].append(_top(popularity, seen, k, model.item_ids))
        ranked["decayed_popularity"].append(_top(decayed, seen, k, model.item_ids))
        ranked["content"].append(_top(parts["similar"], seen, k, model.item_ids))
        collaborative, _ = model.blended(learner, now, unseen, COLLABORATIVE)
        ranked["collaborative"].append(_top(collaborative, seen, k, model.item_ids))
        ranked["served"].append([pick.item_id for pick in model.recommend(learner, k, now)])
        counts = Counter(tag for item, _, _ in mine for tag in tags_of[item])
        interests = [tag for tag, _ in counts.most_common(COLD_INTERESTS)]
        cold = Learner(user_id=user, interests=interests, booked=booked)
        ranked["content_cold"].append(
            _top(model.component_scores(cold, now)["interest"], seen, k, model.item_ids)
        )
        ranked["served_cold"].append([pick.item_id for pick in model.recommend(cold, k, now)])
        ranked["random"].append(_top(rng.random(n), seen, k, model.item_ids))
    held = [chosen.held_out[user] for user in users]
    results = {
        name: {
            "recall": metrics.recall_at_k(lists, held, k),
            "ndcg": metrics.ndcg_at_k(lists, held, k),
            "coverage": metrics.coverage(lists, k, n),
            "users": float(len(users)),
        }
        for name, lists in ranked.items()
    }
    results["decayed_popularity"]["half_life_days"] = model.trend_half_life_seconds / DAY_SECONDS
    results["decayed_popularity"]["half_life_validation_users"] = float(model.trend_validation_users)
    served = results["served"]
    served["validation_users"] = float(tuned.users)
    served["trend_share"] = tuned.blend.trend_share
    served["cf_half_history"] = tuned.blend.cf_half_history
    served["profile_half_life_days"] = tuned.blend.profile_half_life_seconds / DAY_SECONDS
    served["constants_kept"] = float(tuned.blend == Blend())
    return results


def table(results: dict[str, dict[str, float]], k: int) -> str:
    lines = [f"{'model':<20}{'recall@' + str(k):>12}{'ndcg@' + str(k):>12}{'coverage':>12}"]
    for name, figures in results.items():
        lines.append(
            f"{name:<20}{figures['recall']:>12.4f}{figures['ndcg']:>12.4f}{figures['coverage']:>12.4f}"
        )
    return "\n".join(lines)


def settings(results: dict[str, dict[str, float]]) -> str:
    """What the build and the validation split chose (never the test users), as two lines."""
    decayed, served = results["decayed_popularity"], results["served"]
    chosen = (
        f"trend_share {served['trend_share']:g}, cf_half_history {served['cf_half_history']:g}, "
        f"profile half-life {served['profile_half_life_days']:g} days"
    )
    kept = "the constants" if served["constants_kept"] else "changed from the constants"
    return (
        f"popularity half-life chosen by the build on its latest training events: "
        f"{decayed['half_life_days']:g} days ({int(decayed['half_life_validation_users'])} learners)\n"
        f"blend re-checked on a validation split of training rows only "
        f"({int(served['validation_users'])} users): {chosen} ({kept})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m peerlearn.recommend.evaluate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--interactions", required=True, type=Path)
    parser.add_argument("--items", type=Path)
    parser.add_argument("--protocol", default="leave-last-out")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.protocol not in PROTOCOLS:
            raise BadInput(f"unknown protocol {args.protocol!r} (one of {', '.join(PROTOCOLS)})")
        log = read_interactions(args.interactions)
        items = read_items(args.items) if args.items else None
        results = evaluate(log, items, args.protocol, args.k)
    except BadInput as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        users = int(next(iter(results.values()))["users"])
        print(f"protocol {args.protocol}, k={args.k}, {users} test users, {len(log.users)} interactions")
        print(table(results, args.k))
        print(settings(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
