"""Cold import time of each function module next to `import boto3`, measured in the same run.

Each sample is a fresh interpreter importing one module (the part of a Lambda cold start the code
controls), paired with a fresh `import boto3` just before it; the ratio is the median of the pairs'
ratios, the figure to compare between machines. Times are the import's CPU time (user + sys): on a
shared machine wall time mostly measures the neighbours (`--wall` to see it anyway). Two
environments: "local" is the local stack's (tracing off), "traced" is Lambda's with tracing on.
Run: .venv/bin/python benchmarks/cold_imports.py [--runs 7] [--only sessions] [--explain sessions]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "peerlearn"
sys.path[:0] = [str(ROOT), str(LAYER)]

from infra.local.template import FunctionSpec, Template  # noqa: E402
from tests.support import base_env  # noqa: E402

GOAL = 2.0
HIDDEN: set[str] = set()  # packages the dev venv has and a function tried to import
_PROBE = """
import importlib.util, json, sys, time
sys.path.insert(0, {layer!r})
not_deployed, hidden = set({not_deployed!r}), set()

class NotDeployed:
    # Lambda has only the runtime's boto3 and the layer: a package the dev venv adds is not there.
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if path is None and top in not_deployed:
            hidden.add(top)
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, NotDeployed())
start, cpu = time.perf_counter(), time.process_time()
if {path!r}:
    spec = importlib.util.spec_from_file_location("app", {path!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
else:
    import boto3
wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
loaded = "aws_xray_sdk" in sys.modules
print(json.dumps({{"wall": wall, "cpu": cpu, "xray": loaded, "hidden": sorted(hidden)}}))
"""


def not_deployed_packages() -> list[str]:
    """Import names of the dev venv's packages a deployed function cannot reach: all but the layer's
    requirements and the runtime's boto3 with what they require (`sam build`'s layer, Lambda's boto3)."""
    names_of: dict[str, set[str]] = {}
    for name, dists in metadata.packages_distributions().items():
        for dist in dists:
            names_of.setdefault(canonicalize_name(dist), set()).add(name)
    # pip allows a comment after a requirement; Requirement() does not
    lines = [line.split("#", 1)[0].strip() for line in (LAYER / "requirements.txt").read_text().splitlines()]
    todo = [Requirement(line) for line in lines if line]
    todo.append(Requirement("boto3"))
    seen: set[str] = set()
    while todo:
        requirement = todo.pop()
        dist = canonicalize_name(requirement.name)
        if dist in seen:
            continue
        seen.add(dist)
        extras = requirement.extras or {""}
        for spec in metadata.requires(requirement.name) or []:
            needed = Requirement(spec)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                todo.append(needed)
    deployed = set().union(*(names_of.get(dist, set()) for dist in seen))
    return sorted(set().union(*names_of.values()) - deployed)


def environments(spec: FunctionSpec, outbox: Path) -> dict[str, dict[str, str]]:
    """The function's environment as the local stack runs it, and as Lambda runs it with tracing on."""
    template_env = {k: v for k, v in spec.environment.items() if isinstance(v, str)}
    local = {
        **os.environ,
        **template_env,
        **base_env(outbox),
        # What Lambda itself sets (the X-Ray SDK and Powertools read LAMBDA_TASK_ROOT).
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    traced = {k: v for k, v in local.items() if k != "POWERTOOLS_TRACE_DISABLED"}
    return {"local": local, "traced": traced}


def probe(path: Path | None, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    code = _PROBE.format(layer=str(LAYER), path=str(path) if path else "", not_deployed=NOT_DEPLOYED)
    return subprocess.run(
        [sys.executable, *flags, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
    )


def measure(path: Path | None, env: dict[str, str], clock: str) -> tuple[float, bool]:
    found = json.loads(probe(path, env).stdout.strip().splitlines()[-1])
    HIDDEN.update(found["hidden"])
    return float(found[clock]), bool(found["xray"])


def explain(spec: FunctionSpec, env: dict[str, str], top: int = 15) -> None:
    """`python -X importtime` of one function: the packages that cost most (self time, summed)."""
    lines = probe(spec.handler_file, env, "-X", "importtime").stderr.splitlines()
    by_package: Counter[str] = Counter()
    for line in lines:
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            by_package[match[2].split(".")[0]] += int(match[1])
    print(f"{spec.logical_id}: self import time by top-level package (-X importtime inflates it)")
    for package, micros in by_package.most_common(top):
        print(f"  {micros / 1000:8.1f} ms  {package}")


NOT_DEPLOYED = not_deployed_packages()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="rounds (fresh interpreters per function)")
    parser.add_argument("--only", default="", help="functions whose logical id contains this (any case)")
    parser.add_argument("--explain", default="", help="print -X importtime's costliest packages instead")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = parser.parse_args()
    outbox = Path(tempfile.mkdtemp()) / "outbox"
    specs = [
        spec
        for spec in Template.load().functions().values()
        if args.only.lower() in spec.logical_id.lower() and args.explain.lower() in spec.logical_id.lower()
    ]
    if args.explain:
        for spec in specs:
            for name, env in environments(spec, outbox).items():
                print(f"[{name}] ", end="")
                explain(spec, env)
        return

    clock = "wall" if args.wall else "cpu"
    boto3_ms: list[float] = []
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}  # (function ms, boto3 ms) pairs
    xray: dict[tuple[str, str], bool] = {}
    for _ in range(args.runs):
        for spec in specs:
            for name, env in environments(spec, outbox).items():
                baseline, _ = measure(None, env, clock)
                ms, xray[spec.logical_id, name] = measure(spec.handler_file, env, clock)
                samples.setdefault((spec.logical_id, name), []).append((ms, baseline))
                boto3_ms.append(baseline)

    what = "wall-clock" if args.wall else "CPU"
    print(f"cold import of each function module ({what} ms): {args.runs} rounds, fresh interpreters")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    boto3 = statistics.median(boto3_ms)
    print(f"import boto3, paired with every sample: median {boto3:.0f} ms (min {min(boto3_ms):.0f})")
    print(f"{'function':<22}{'local ms':>10}{'ratio':>7}{'traced ms':>11}{'ratio':>7}  X-Ray SDK loaded")
    worst = 0.0
    for spec in specs:
        row = f"{spec.logical_id:<22}"
        for name, width in (("local", 10), ("traced", 11)):
            pairs = samples[spec.logical_id, name]
            ratio = statistics.median(ms / baseline for ms, baseline in pairs)
            worst = max(worst, ratio)
            row += f"{statistics.median(ms for ms, _ in pairs):>{width}.0f}{ratio:>7.2f}"
        local, traced = (xray[spec.logical_id, name] for name in ("local", "traced"))
        print(f"{row}  local {'yes' if local else 'no'}, traced {'yes' if traced else 'no'}")
    verdict = "met" if worst <= GOAL else "NOT met"
    print(f"worst ratio {worst:.2f} (goal <= {GOAL}: {verdict})")
    print("ratio = median over samples of (function import / the boto3 import just before it).")
    print("local = the local stack's environment (tracing off); traced = Lambda's with Tracing: Active.")
    hidden = ", ".join(sorted(HIDDEN)) or "none"
    print(f"packages hidden as Lambda lacks them (dev-only, tried by an import): {hidden}")


if __name__ == "__main__":
    main()
