"""Cold import time of each function module: a fresh interpreter per function, median of N runs.

This is the part of a Lambda cold start the code controls (the runtime's own start is extra).
Run: .venv/bin/python benchmarks/cold_imports.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "peerlearn")]

from infra.local.template import Template  # noqa: E402
from tests.support import base_env  # noqa: E402

_PROBE = """
import importlib.util, json, sys, time
sys.path.insert(0, {layer!r})
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps({{"ms": (time.perf_counter() - start) * 1000}}))
"""


def measure(path: Path, env: dict[str, str]) -> float:
    code = _PROBE.format(layer=str(ROOT / "layers" / "peerlearn"), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, **base_env(Path(tempfile.mkdtemp()) / "outbox"), "AWS_ACCESS_KEY_ID": "x"}
    env["AWS_SECRET_ACCESS_KEY"] = "x"
    print(f"cold import of each function module, median of {args.runs} fresh interpreters")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'function':<22}{'median ms':>10}{'min ms':>10}")
    for spec in Template.load().functions().values():
        samples = [measure(spec.handler_file, env) for _ in range(args.runs)]
        print(f"{spec.logical_id:<22}{statistics.median(samples):>10.0f}{min(samples):>10.0f}")


if __name__ == "__main__":
    main()
