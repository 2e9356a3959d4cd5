"""A cold start's import and its first request, so that work moved out of the import shows up.

Each sample is a fresh interpreter with moto's DynamoDB already up (its own start-up is not
counted): it imports one function module, then sends the same typical request twice. It prints the
CPU ms of the import, of the first and of the second request (first minus second is what the first
request pays for being first: models built, modules loaded, the DynamoDB client made). moto and
boto3 are imported before the function, so the import here lacks botocore: compare the import
figures only with each other, and use cold_imports.py for the import next to `import boto3`.
Run: .venv/bin/python benchmarks/cold_first_request.py [--runs 5] [--only docs]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.support import base_env  # noqa: E402

# function directory -> a typical first request (method, path, body, the authorizer's identity)
SIGN_IN = {"email": "nobody@example.com", "password": "mango-monsoon-42"}  # unknown: a 401
REQUESTS: dict[str, tuple[str, str, object, dict[str, str] | None]] = {
    "auth": ("POST", "/api/auth/login", SIGN_IN, None),
    "users": ("GET", "/api/me", None, {"user_id": "u1"}),
    "admin": ("GET", "/api/admin/users", None, {"user_id": "a1", "role": "admin"}),
    "sessions": ("GET", "/api/sessions", None, None),
    "docs": ("GET", "/api/openapi.json", None, None),
    "docs page": ("GET", "/api/docs", None, None),
}

_PROBE = """
import importlib.util, json, os, sys, time
sys.path[:0] = [{root!r}, {layer!r}]
import boto3
from moto import mock_aws
from infra.local.template import Template
from tests.support import LambdaContextStub, rest_event

mock_aws().start()
dynamodb = boto3.client("dynamodb", region_name="ap-south-1")
dynamodb.create_table(**Template.load(refs={{"Table": os.environ["TABLE_NAME"]}}).table_definition())
dynamodb.get_item(TableName=os.environ["TABLE_NAME"], Key={{"pk": {{"S": "x"}}, "sk": {{"S": "x"}}}})
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
start = time.process_time()
spec.loader.exec_module(module)
times = [(time.process_time() - start) * 1000]
for _ in range(2):
    event = rest_event({method!r}, {url!r}, {body!r}, identity={identity!r})
    start = time.process_time()
    reply = module.lambda_handler(event, LambdaContextStub())
    times.append((time.process_time() - start) * 1000)
print(json.dumps({{"times": times, "status": reply["statusCode"]}}))
"""


def sample(function: str, env: dict[str, str]) -> tuple[list[float], int]:
    method, url, body, identity = REQUESTS[function]
    code = _PROBE.format(
        root=str(ROOT),
        layer=str(ROOT / "layers" / "peerlearn"),
        path=str(ROOT / "functions" / function.split()[0] / "app.py"),
        method=method,
        url=url,
        body=body,
        identity=identity,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return found["times"], found["status"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per function")
    parser.add_argument("--only", default="", help="functions whose name contains this")
    args = parser.parse_args()
    env = {
        **os.environ,
        **base_env(Path(tempfile.mkdtemp()) / "outbox"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as template.yaml sets it
    }
    print(f"CPU ms, median of {args.runs} fresh interpreters (moto's DynamoDB; botocore already loaded)")
    print(f"{'function':<11}{'request':<26}{'import':>8}{'1st':>8}{'2nd':>8}{'import+1st':>12}  status")
    for function, (method, url, _body, _identity) in REQUESTS.items():
        if args.only not in function:
            continue
        samples = [sample(function, env) for _ in range(args.runs)]
        imported, first, second = (statistics.median(times[i] for times, _ in samples) for i in range(3))
        total = statistics.median(times[0] + times[1] for times, _ in samples)
        request = f"{method} {url}"
        print(
            f"{function:<11}{request:<26}{imported:>8.1f}{first:>8.1f}{second:>8.1f}{total:>12.1f}"
            f"  {samples[0][1]}"
        )


if __name__ == "__main__":
    main()
