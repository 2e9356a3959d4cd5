"""Lighthouse (mobile, simulated throttling) on Discover, a session, sign-in and sign-up of the local stack.

Prints performance and accessibility scores with the metrics behind them, beside the goals
(performance >= 90, accessibility 100). Starts `python -m infra.local dev` (demo data) on a free
port unless --url names a running stack; installs benchmarks/lighthouse/ (Lighthouse 12.2.3) on
first use; drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). Asserts nothing.
Run: .venv/bin/python benchmarks/lighthouse.py [--url http://127.0.0.1:3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "benchmarks" / "lighthouse"
LIGHTHOUSE = TOOL / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
GOALS = {"performance": 90, "accessibility": 100}
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def has_sessions(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
        return bool(httpx.get(f"{url}/api/sessions?limit=1", timeout=10).json()["items"])
    return False


@contextlib.contextmanager
def dev_stack() -> Iterator[str]:
    """`python -m infra.local dev` on a free port and a fresh data folder (so its demo sessions are
    upcoming), until the block ends. It answers before the seed is in; wait for sessions."""
    port = free_port()
    data_dir = tempfile.TemporaryDirectory(prefix="lighthouse-")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--data-dir", data_dir.name, "dev", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # cold starts on a busy 2-core machine take a while
        while not has_sessions(url):
            if process.poll() is not None:
                raise SystemExit(f"the local stack exited ({process.returncode}) before answering")
            if time.monotonic() > deadline:
                raise SystemExit("the local stack had no demo sessions after 240 s")
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        data_dir.cleanup()


def install() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True)


def audit(url: str) -> dict[str, float]:
    """One Lighthouse run (its default: a mobile device, simulated slow 4G and CPU)."""
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    scores = {name: round(report["categories"][name]["score"] * 100) for name in GOALS}
    metrics = {label: report["audits"][key]["numericValue"] for key, label in METRICS.items()}
    refs = report["categories"]["accessibility"]["auditRefs"]
    failed = [ref["id"] for ref in refs if report["audits"][ref["id"]]["score"] == 0]
    if failed:
        print(f"  accessibility audits failed on {url}: {', '.join(failed)}")
    return {**scores, **metrics}


def median_run(url: str, runs: int) -> dict[str, float]:
    results = [audit(url) for _ in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running local stack (default: start one)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    args = parser.parse_args()
    if not Path(CHROME).exists():
        raise SystemExit(f"Chromium is not at {CHROME} (apt-get install chromium, or set CHROME_PATH)")
    install()

    with contextlib.ExitStack() as stack:
        base = args.url or stack.enter_context(dev_stack())
        sessions = httpx.get(f"{base}/api/sessions?limit=1", timeout=30).json()["items"]
        if not sessions:
            raise SystemExit("no sessions to open: run the stack with its demo data")
        pages = {
            "Discover": f"{base}/discover",
            "A session": f"{base}/sessions/{sessions[0]['id']}",
            "Sign in": f"{base}/login",
            "Sign up": f"{base}/register",
        }
        for url in pages.values():
            httpx.get(url, timeout=30)  # warm the functions behind each page before measuring
        results = {name: median_run(url, args.runs) for name, url in pages.items()}

    print(f"Lighthouse 12.2.3, mobile (simulated throttling), median of {args.runs} run(s), {CHROME}")
    print(f"{'page':<12}{'perf':>6}{'a11y':>6}{'FCP ms':>9}{'LCP ms':>9}{'TBT ms':>9}{'CLS':>7}")
    for name, r in results.items():
        print(
            f"{name:<12}{r['performance']:>6.0f}{r['accessibility']:>6.0f}"
            f"{r['FCP']:>9.0f}{r['LCP']:>9.0f}{r['TBT']:>9.0f}{r['CLS']:>7.3f}"
        )
    met = all(r[goal] >= target for r in results.values() for goal, target in GOALS.items())
    goals = ", ".join(f"{goal} >= {target}" for goal, target in GOALS.items())
    print(f"goals ({goals}): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
