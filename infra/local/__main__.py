"""Command line of the local stack.

    python -m infra.local dev [--port 3000] [--no-seed]     start everything; Ctrl-C stops it
    python -m infra.local create-admin --email E --name N   add an admin (asks for the password)
    python -m infra.local invoke FUNCTION [--event FILE]    run one function once, print its result
    python -m infra.local run-schedule FUNCTION [EVENT]     run a function's schedule now, print its result
    python -m infra.local reconcile                         check the books against Razorpay's recon report
    python -m infra.local backfill-rollups                  rebuild the analytics rollups from the table

`create-admin`, `invoke`, `run-schedule`, `reconcile` and `backfill-rollups` use the running stack's
DynamoDB when `dev` runs, else start their own.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import importlib
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from infra.local import dynamodb
from infra.local.dynamodb import DynamoDBLocal, ensure_table
from infra.local.edge import through_cloudfront
from infra.local.environment import local_environment, local_refs, process_environment, read_env_file
from infra.local.runtime import FunctionError, Runtime
from infra.local.stack import (
    DEFAULT_DATA_DIR,
    DEFAULT_PORT,
    HOST,
    LOCAL_TABLE_NAME,
    LocalStack,
    running_stack,
    stop_orphaned_dynamodb,
)
from infra.local.template import ROOT, Template
from infra.local.triggers.schedule.schedules import find_schedule, load_schedules

log = logging.getLogger("infra.local")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="local data (default: .local/)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="start the local stack")
    dev.add_argument("--port", type=int, default=DEFAULT_PORT)
    dev.add_argument("--no-seed", action="store_true", help="do not load the demo data")

    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument("--password", help="prompted for when omitted")

    invoke = commands.add_parser("invoke", help="invoke one function with an event")
    invoke.add_argument("function", help="logical id in template.yaml, e.g. AuthorizerFunction")
    invoke.add_argument("--event", type=Path, help="JSON event file (e.g. events/authorizer/request.json)")

    run_schedule = commands.add_parser("run-schedule", help="run a function's schedule now")
    run_schedule.add_argument("function", help="logical id in template.yaml, e.g. JobsFunction")
    run_schedule.add_argument("event_name", nargs="?", help="its Schedule event, when it has several")

    commands.add_parser(
        "reconcile", help="check the ledger and the sandbox's recon report; 0 = nothing to report"
    )

    commands.add_parser(
        "backfill-rollups",
        help="rebuild the analytics rollups from the table (the same facts the stream counts)",
    )

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("botocore", "pynamodb", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.command == "dev":
        return run_dev(args.data_dir, args.port, seed=not args.no_seed)
    if args.command == "create-admin":
        return create_admin(args.data_dir, email=args.email, name=args.name, password=args.password)
    if args.command == "reconcile":
        with tool_environment(args.data_dir) as env, process_environment({"POWERTOOLS_SERVICE_NAME": "cli"}):
            from infra.local.reconcile import reconcile_books

            return reconcile_books(env)
    if args.command == "backfill-rollups":
        with tool_environment(args.data_dir) as env, process_environment({"POWERTOOLS_SERVICE_NAME": "cli"}):
            return backfill_rollups(env)
    if args.command in ("invoke", "run-schedule"):
        with tool_environment(args.data_dir) as env:
            template = _template(env)
            if args.command == "invoke":
                event = json.loads(args.event.read_text()) if args.event else {}
                event = through_cloudfront(event, env["ORIGIN_SECRET"])
            else:
                try:
                    schedule = find_schedule(load_schedules(template), args.function, args.event_name)
                except LookupError as exc:
                    print(exc, file=sys.stderr)
                    return 2
                event = schedule.event(datetime.now(UTC))
            return _invoke(template, env, args.function, event)
    return 2


def backfill_rollups(env: dict[str, str]) -> int:
    """Binds the store to `env`'s table and rebuilds the rollups; prints what it did."""
    from dataclasses import asdict

    from peerlearn.analytics.backfill import backfill
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    build_context(Settings.from_env(env))
    print(json.dumps(asdict(backfill()), indent=2))
    return 0


def _invoke(template: Template, env: dict[str, str], function: str, event: Any) -> int:
    runtime = Runtime(template.functions(), env)
    try:
        print(json.dumps(runtime.invoke(function, event), indent=2))
    except FunctionError as exc:  # printed as `aws lambda invoke` shows a function error
        failure = {"errorType": exc.error_type, "errorMessage": exc.message, "stackTrace": exc.stack_trace}
        print(json.dumps(failure, indent=2))
        return 1
    finally:
        runtime.close()
    return 0


# ---------------------------------------------------------------------- dev
def env_seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from the environment, or `default` when unset. For API Gateway's
    WebSocket limits, shortened to try reconnects by hand: PEERLEARN_WS_IDLE_SECONDS (600, the
    cloud's idle timeout) and PEERLEARN_WS_LIFETIME_SECONDS (7200, its connection lifetime)."""
    if not environ.get(name):
        return default
    value = float(environ[name])
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return value


def run_dev(data_dir: Path, port: int, *, seed: bool) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    stack = LocalStack(
        data_dir=data_dir,
        port=port,
        access_log=True,
        websocket_idle_seconds=env_seconds(os.environ, "PEERLEARN_WS_IDLE_SECONDS", 10 * 60.0),
        websocket_lifetime_seconds=env_seconds(os.environ, "PEERLEARN_WS_LIFETIME_SECONDS", 2 * 60 * 60.0),
    )
    try:
        stack.start()
    except KeyboardInterrupt:
        return 130
    try:
        stack.warm()
        lines = _seed(stack) if seed else []
        lines += _build_recommendations(stack)
        timings = stack.timings
        started = f"started in {timings['total']:.1f} s"
        if "dynamodb" in timings:
            started += f", DynamoDB Local in {timings['dynamodb']:.1f} s"
        print(f"\nPeerLearn is running at {stack.url}")
        print(f"  ({started})")
        print(f"  outbox    {stack.url}/_dev/outbox")
        print(f"  API docs  {stack.url}/api/docs")
        if stack.env.get("WEBSOCKET_URL"):
            print(f"  live      {stack.env['WEBSOCKET_URL']}")
        for line in lines:
            print(f"  {line}")
        print("Press Ctrl-C to stop.\n", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
    return 0


def _seed(stack: LocalStack) -> list[str]:
    """Runs infra/local/seed.py's `seed_stack(stack)` when it exists; its lines are printed."""
    if importlib.util.find_spec("infra.local.seed") is None:
        return []
    module = importlib.import_module("infra.local.seed")
    try:
        return [str(line) for line in module.seed_stack(stack)]
    except Exception:
        log.exception("seeding the demo data failed; the stack runs without it")
        return ["(demo data not loaded: see the error above)"]


def _build_recommendations(stack: LocalStack) -> list[str]:
    """Builds the recommendations model once, after the seed, so the demo's first screens have picks
    (the schedule's first run is 15 minutes after the start)."""
    try:
        result = stack.run_schedule("RecommendBuildFunction")
    except Exception:
        log.exception(
            "building the recommendations model failed; they answer without one until the next build"
        )
        return ["(recommendations model not built: see the error above)"]
    return [f"model     recommendations build {result['build_id']} ({result['bytes']:,} bytes)"]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------------- one-off tools
def create_admin(data_dir: Path, *, email: str, name: str, password: str | None) -> int:
    """Adds an admin account through the accounts module, as the seed does for demo users."""
    password = password or _ask_password()
    with tool_environment(data_dir) as env, process_environment({"POWERTOOLS_SERVICE_NAME": "cli"}):
        from peerlearn.accounts import create_admin as create
        from peerlearn.config import Settings
        from peerlearn.context import build_context

        build_context(Settings.from_env(env))  # binds the table, as a handler's cold start does
        try:
            user_id = create(email=email, name=name, password=password)
        except Exception as exc:
            print(f"Could not create the admin: {exc}", file=sys.stderr)
            return 1
    print(f"Admin {email} created (user id {user_id}).")
    return 0


@contextlib.contextmanager
def tool_environment(data_dir: Path) -> Iterator[dict[str, str]]:
    """The function environment for a one-off command, against the running stack's DynamoDB or its own."""
    state = running_stack(data_dir)
    with contextlib.ExitStack() as resources:
        if state is not None:
            endpoint, url, table_name = state["dynamodb_endpoint"], state["url"], state["table_name"]
        else:
            stop_orphaned_dynamodb(data_dir)
            database = resources.enter_context(DynamoDBLocal(data_dir / "dynamodb"))
            endpoint, url, table_name = database.endpoint, f"http://{HOST}:{DEFAULT_PORT}", LOCAL_TABLE_NAME
        template = Template.load()
        template.refs = local_refs(template, table_name, url)
        ensure_table(dynamodb.client("dynamodb", endpoint), template)
        env = {
            **template.global_environment(),
            **local_environment(data_dir, url, table_name, endpoint),
            **read_env_file(ROOT / ".env"),
        }
        resources.enter_context(process_environment({**env, "AWS_EC2_METADATA_DISABLED": "true"}))
        for spec in template.functions().values():
            for layer in spec.layers:
                if str(layer) not in sys.path:
                    sys.path.insert(0, str(layer))
        yield env


def _template(env: dict[str, str]) -> Template:
    template = Template.load()
    template.refs = local_refs(template, env["TABLE_NAME"], env["WEB_BASE_URL"])
    return template


def _ask_password() -> str:
    while True:
        password = getpass.getpass("Password: ")
        if password and password == getpass.getpass("Again: "):
            return password
        print("The passwords differ or are empty; try again.", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
