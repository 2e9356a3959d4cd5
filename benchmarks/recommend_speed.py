"""The recommendation engine's own speed on a synthetic catalogue the size the issue names: 10,000
sessions, 100,000 learners, with realistic skew (Zipf popularity, tags in clusters, mentors with many
sessions). Prints build time, artefact size, and p50/p95 of each call a request makes
(`Model.recommend`, `similar`, `trending`, `mentors_for`, loading), next to a raw numpy
argpartition over the same number of items measured in the same run (the floor any ranking pays).
Then, unless `--engine-only`, the same routes through the local stack (benchmarks/recommend_stack.py:
the demo data, one build, p50/p95 end to end and in the function, next to the raw DynamoDB reads).

Run: .venv/bin/python benchmarks/recommend_speed.py [--sessions 10000] [--learners 100000] [--calls 300]
     [--engine-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "peerlearn")]

from peerlearn.recommend.model import (  # noqa: E402
    BuildInput,
    Catalogue,
    Interactions,
    Learner,
    MentorProfile,
    Model,
    build,
)
from peerlearn.recommend.weights import BOOKING_WEIGHT, VIEW_WEIGHT, rating_weight  # noqa: E402

GOAL_BUILD_SECONDS = 60.0
GOAL_P95_MS = 20.0
NOW = 1_790_000_000  # 2026-09-22
DAY = 86_400
LEVELS = ["beginner", "intermediate", "advanced"]
LANGUAGES = ["en", "hi", "ta", "bn"]
ZONES = ["Asia/Kolkata", "Europe/London", "America/New_York", "Asia/Singapore"]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def synthetic(sessions: int, learners: int, seed: int = 11) -> tuple[BuildInput, list[Learner]]:
    rng = np.random.default_rng(seed)
    clusters, tags_per_cluster = 25, 12
    tags = [f"topic{c}-{t}" for c in range(clusters) for t in range(tags_per_cluster)]
    mentors = max(1, sessions // 20)
    mentor_cluster = rng.integers(0, clusters, mentors)
    item_mentor = np.minimum((rng.pareto(1.5, sessions) * mentors / 8).astype(int), mentors - 1)
    rng.shuffle(item_mentor)
    item_cluster = np.where(
        rng.random(sessions) < 0.85, mentor_cluster[item_mentor], rng.integers(0, clusters, sessions)
    )
    item_tags = [
        [
            tags[c * tags_per_cluster + t]
            for t in rng.choice(tags_per_cluster, rng.integers(2, 5), replace=False)
        ]
        for c in item_cluster.tolist()
    ]
    # Two thirds in the past (what learners booked), a third upcoming (what is recommended).
    starts = NOW + rng.integers(-180 * DAY, 60 * DAY, sessions)
    popularity = 1.0 / np.arange(1, sessions + 1) ** 0.9
    rng.shuffle(popularity)
    by_cluster = [np.flatnonzero(item_cluster == c) for c in range(clusters)]
    per_learner = 1 + rng.poisson(6, learners)
    learner_cluster = rng.integers(0, clusters, learners)
    users, items, at, weight = [], [], [], []
    for learner in range(learners):
        n = int(per_learner[learner])
        home = by_cluster[int(learner_cluster[learner])]
        local = rng.random(n) < 0.7
        picks_home = home[(rng.random(int(local.sum())) ** 2 * len(home)).astype(int)] if len(home) else []
        picks_any = rng.choice(sessions, int((~local).sum()), p=popularity / popularity.sum())
        chosen = np.unique(np.concatenate([np.asarray(picks_home, dtype=int), picks_any]))
        for item in chosen.tolist():
            when = int(min(starts[item], NOW) - rng.integers(0, 14 * DAY))
            users.append(f"u{learner}")
            items.append(f"s{item}")
            at.append(when)
            rated = starts[item] < NOW and rng.random() < 0.5
            weight.append(BOOKING_WEIGHT + (rating_weight(int(rng.integers(3, 6))) if rated else 0.0))
            if rng.random() < 0.3:
                users.append(f"u{learner}")
                items.append(f"s{item}")
                at.append(when - DAY)
                weight.append(VIEW_WEIGHT)
    catalogue = Catalogue(
        ids=[f"s{i}" for i in range(sessions)],
        tags=item_tags,
        titles=[f"Session {i}" for i in range(sessions)],
        mentor_ids=[f"m{m}" for m in item_mentor.tolist()],
        levels=[LEVELS[i % 3] for i in rng.integers(0, 3, sessions).tolist()],
        languages=[LANGUAGES[i] for i in rng.choice(4, sessions, p=[0.6, 0.25, 0.1, 0.05]).tolist()],
        starts_at=starts.tolist(),
        price_paise=(rng.integers(2, 20, sessions) * 5000).tolist(),
        bookable=(starts > NOW).tolist(),
        seats_left=rng.integers(0, 20, sessions).tolist(),
    )
    profiles = [
        MentorProfile(
            id=f"m{m}",
            name=f"Mentor {m}",
            expertise=[tags[int(mentor_cluster[m]) * tags_per_cluster + t] for t in range(4)],
            languages=[LANGUAGES[m % 4], "en"],
            timezone=ZONES[m % 4],
            usual_hours_utc=rng.integers(0, 24, 5).tolist(),
            rating_average=float(rng.uniform(3.5, 5.0)),
            rating_count=int(rng.integers(0, 200)),
            median_price_paise=int(rng.integers(2, 20) * 5000),
            sessions_taught=int((item_mentor == m).sum()),
        )
        for m in range(mentors)
    ]
    data = BuildInput(
        catalogue=catalogue,
        interactions=Interactions(user_ids=users, item_ids=items, at=at, weight=weight),
        mentors=profiles,
        interest_counts={t: int(rng.integers(0, 500)) for t in tags},
        waitlist_counts={t: int(rng.integers(0, 50)) for t in tags[::3]},
        now=NOW,
    )
    history_of: dict[str, list[tuple[str, float, int]]] = {}
    for u, i, a, w in zip(users, items, at, weight, strict=True):
        history_of.setdefault(u, []).append((i, w, a))
    queries = []
    for learner in rng.choice(learners, 300, replace=False).tolist():
        history = history_of.get(f"u{learner}", [])
        cluster = int(learner_cluster[learner])
        queries.append(
            Learner(
                user_id=f"u{learner}",
                interests=[tags[cluster * tags_per_cluster + t] for t in range(3)],
                languages=["en"],
                timezone=ZONES[learner % 4],
                history=history,
                booked={i for i, w, _ in history if w >= BOOKING_WEIGHT},
            )
        )
    return data, queries


def timed(calls: int, call: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--engine-only", action="store_true", help="skip the through-the-stack figures")
    args = parser.parse_args()

    start = time.perf_counter()
    data, queries = synthetic(args.sessions, args.learners)
    made = time.perf_counter() - start
    print(
        f"synthetic: {args.sessions} sessions, {args.learners} learners, {len(data.interactions.user_ids)} "
        f"events, {len(data.mentors)} mentors ({made:.1f} s to make)"
    )
    start = time.perf_counter()
    model = build(data, build_id="speed")
    built = time.perf_counter() - start
    start = time.perf_counter()
    artefact = model.to_bytes()
    saved = time.perf_counter() - start
    print(f"build: {built:.1f} s (goal <= {GOAL_BUILD_SECONDS:.0f} s); save {saved:.2f} s")
    print(f"artefact: {len(artefact):,} bytes ({len(artefact) / 1e6:.1f} MB, compressed npz)")
    print(
        f"popularity half-life chosen by the build: {model.trend_half_life_seconds / DAY:g} days "
        f"(on {model.trend_validation_users} learners of its latest events)"
    )

    loads = timed(5, lambda _: Model.from_bytes(artefact))
    model = Model.from_bytes(artefact)
    n = len(queries)
    upcoming = [i for i, ok in zip(data.catalogue.ids, data.catalogue.bookable, strict=True) if ok]
    rows = {
        "load (from_bytes)": loads,
        "recommend (history)": timed(args.calls, lambda i: model.recommend(queries[i % n], 10, NOW)),
        "recommend (new learner)": timed(
            args.calls, lambda i: model.recommend(Learner(None, interests=queries[i % n].interests), 10, NOW)
        ),
        "similar": timed(args.calls, lambda i: model.similar(upcoming[i % len(upcoming)], 10, NOW)),
        "trending": timed(args.calls, lambda i: model.trending(10, NOW)),
        "mentors_for": timed(args.calls, lambda i: model.mentors_for(queries[i % n], 10)),
        "demand_for": timed(
            args.calls, lambda i: model.demand_for(data.mentors[i % len(data.mentors)].expertise, 10)
        ),
    }
    scores = np.random.default_rng(3).random(args.sessions).astype(np.float32)
    rows["raw: argpartition top 10"] = timed(args.calls, lambda _: np.argpartition(-scores, 9)[:10])
    width = max(len(name) for name in rows) + 2
    print(f"{'call':<{width}}{'p50 ms':>9}{'p95 ms':>9}")
    for name, samples in rows.items():
        print(f"{name:<{width}}{percentile(samples, 50):>9.2f}{percentile(samples, 95):>9.2f}")
    worst = max(percentile(s, 95) for name, s in rows.items() if not name.startswith(("raw", "load")))
    print(f"worst request p95: {worst:.2f} ms (goal <= {GOAL_P95_MS:.0f} ms)")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {today}"
    )
    if not args.engine_only:
        print("\nthrough the local stack (benchmarks/recommend_stack.py):", flush=True)
        script = ROOT / "benchmarks" / "recommend_stack.py"
        subprocess.run([sys.executable, str(script), "--requests", str(args.calls)], check=True)


if __name__ == "__main__":
    main()
