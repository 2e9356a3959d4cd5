"""What a function's cold start imports: no X-Ray SDK where tracing is off (the local stack, tests),
still the X-Ray tracer where it is on (Lambda with `Tracing: Active`), no OpenAPI models outside the
docs function. Each check runs in a fresh interpreter, since this process has imported everything."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from infra.local.template import Template
from tests.support import RAZORPAY_TEST_ENV, ROOT, base_env

LAYER = ROOT / "layers" / "peerlearn"
FUNCTIONS = {spec.logical_id: spec for spec in Template.load().functions().values()}
# The functions that traced before tracing became conditional (the authorizer and docs never did).
TRACED = [
    "AuthFunction",
    "UsersFunction",
    "AdminFunction",
    "SessionsFunction",
    "JobsFunction",
    "StreamsFunction",
]

# Imports each named function in turn; after each, which of the watched modules are loaded, and
# the type of the function's tracer (when it keeps one).
_PROBE = """
import importlib.util, json, sys
sys.path.insert(0, {layer!r})
watched, found = {watched!r}, {{}}
for name, path in {functions!r}:
    spec = importlib.util.spec_from_file_location("fn_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tracer = getattr(getattr(module, "function", module), "tracer", None)
    patcher = sys.modules.get("aws_xray_sdk.core.patcher")
    found[name] = {{
        "loaded": [m for m in watched if m in sys.modules],
        "tracer": type(tracer).__name__ if tracer is not None else None,
        "patched": sorted(patcher._PATCHED_MODULES) if patcher else [],
    }}
print(json.dumps(found))
"""


def lambda_env(tmp_path: Path, *, traced: bool) -> dict[str, str]:
    """Lambda's own variables plus the settings; POWERTOOLS_TRACE_DISABLED as the local stack sets it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **base_env(tmp_path / "outbox"),
        **RAZORPAY_TEST_ENV,  # the payments and webhooks functions read them at cold start
        "LAMBDA_TASK_ROOT": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if traced:
        del env["POWERTOOLS_TRACE_DISABLED"]
    return env


def imports_of(names: list[str], env: dict[str, str], watched: list[str]) -> dict[str, dict[str, object]]:
    functions = [(name, str(FUNCTIONS[name].handler_file)) for name in names]
    code = _PROBE.format(layer=str(LAYER), watched=watched, functions=functions)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    found: dict[str, dict[str, object]] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_no_function_imports_the_xray_sdk_when_tracing_is_off(tmp_path: Path) -> None:
    found = imports_of(list(FUNCTIONS), lambda_env(tmp_path, traced=False), ["aws_xray_sdk"])

    first = next((name for name, seen in found.items() if seen["loaded"]), None)
    assert first is None, f"{first} imported aws_xray_sdk although POWERTOOLS_TRACE_DISABLED=true"


def test_no_function_but_docs_builds_powertools_openapi_models_at_import(tmp_path: Path) -> None:
    # Those ~50 pydantic models cost a third of a function's cold import; only the document needs them.
    models = "aws_lambda_powertools.event_handler.openapi.models"
    names = [name for name in FUNCTIONS if name != "DocsFunction"]
    found = imports_of(names, lambda_env(tmp_path, traced=False), [models])

    first = next((name for name, seen in found.items() if seen["loaded"]), None)
    assert first is None, f"{first} imported {models} at cold start"


def test_the_docs_function_loads_the_api_routers_only_for_the_document(tmp_path: Path) -> None:
    # The Swagger page and its files need none of them; /api/openapi.json builds the document.
    routers = [f"peerlearn.api.routes.{name}" for name in ("auth", "users", "sessions", "admin")]
    found = imports_of(["DocsFunction"], lambda_env(tmp_path, traced=False), routers)

    assert found["DocsFunction"]["loaded"] == []


def test_no_function_loads_email_validator_at_cold_start(tmp_path: Path) -> None:
    # ~15 ms of regular expressions; only the routes that validate an email address need it.
    found = imports_of(list(FUNCTIONS), lambda_env(tmp_path, traced=False), ["email_validator"])

    first = next((name for name, seen in found.items() if seen["loaded"]), None)
    assert first is None, f"{first} imported email_validator at cold start"


def test_every_request_and_response_model_is_built_on_first_use() -> None:
    # A function defines dozens of models and a request uses two or three: building them all at
    # import was a fifth of a cold start. (The docs function's error body is built for the document.)
    modules = ["accounts", "catalog", "bookings", "feedback", "payments"]
    for name in modules:
        importlib.import_module(f"peerlearn.{name}.schemas")
    eager = [
        model.__qualname__
        for model in _subclasses(BaseModel)
        if model.__module__.startswith("peerlearn.")
        and model.__module__ != "peerlearn.api.openapi"
        and not model.model_config.get("defer_build")
    ]

    assert eager == []


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_no_function_scans_installed_packages_for_pydantic_plugins() -> None:
    # The scan reads every installed distribution's metadata when the first model is built.
    scanning = [
        name
        for name, spec in FUNCTIONS.items()
        if spec.environment.get("PYDANTIC_DISABLE_PLUGINS") != "__all__"
    ]

    assert scanning == []


_GC_PROBE = """
import gc, importlib.util, json, sys
sys.path.insert(0, {layer!r})
found = {{}}
for name, path in {functions!r}:
    spec = importlib.util.spec_from_file_location("fn_" + name, path)
    module, code = importlib.util.module_from_spec(spec), spec.loader.get_code("fn_" + name)
    before = sum(generation["collections"] for generation in gc.get_stats())
    exec(code, module.__dict__)  # the module's body: what Lambda's init runs once the file is read
    collections = sum(generation["collections"] for generation in gc.get_stats()) - before
    found[name] = {{"collections": collections, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}
    gc.unfreeze()
print(json.dumps(found))
"""


def test_a_cold_start_runs_no_garbage_collection_and_leaves_the_collector_on(tmp_path: Path) -> None:
    # Collections while importing walked a heap holding nothing but live modules (an eighth of the
    # CPU); the cold start's objects are frozen so the first requests do not walk them instead.
    functions = [(name, str(spec.handler_file)) for name, spec in FUNCTIONS.items()]
    code = _GC_PROBE.format(layer=str(LAYER), functions=functions)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=lambda_env(tmp_path, traced=False),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])

    assert {name: seen["collections"] for name, seen in found.items()} == dict.fromkeys(FUNCTIONS, 0)
    assert all(seen["enabled"] and seen["frozen"] > 0 for seen in found.values()), found


def test_functions_that_trace_still_get_the_xray_tracer_in_lambda(tmp_path: Path) -> None:
    found = imports_of(TRACED, lambda_env(tmp_path, traced=True), ["aws_xray_sdk"])

    assert {name: seen["tracer"] for name, seen in found.items()} == dict.fromkeys(TRACED, "Tracer")
    assert found[TRACED[0]]["loaded"] == ["aws_xray_sdk"]


def test_the_xray_tracer_patches_only_the_libraries_aws_is_called_through(tmp_path: Path) -> None:
    # botocore (boto3's clients) and pynamodb (DynamoDB) carry every call a function makes; patching
    # all that X-Ray supports also imported and patched sqlite3 at each cold start.
    found = imports_of(TRACED, lambda_env(tmp_path, traced=True), ["sqlite3"])

    patched = {name: seen["patched"] for name, seen in found.items()}
    assert patched == {name: ["botocore", "pynamodb"] for name in TRACED}
    assert all(seen["loaded"] == [] for seen in found.values())


def test_functions_that_trace_get_a_do_nothing_tracer_when_tracing_is_off(tmp_path: Path) -> None:
    found = imports_of(TRACED, lambda_env(tmp_path, traced=False), [])

    assert {name: seen["tracer"] for name, seen in found.items()} == dict.fromkeys(TRACED, "Untraced")


def test_no_function_loads_the_resolvers_and_event_classes_it_does_not_use(tmp_path: Path) -> None:
    # Powertools' event_handler/__init__ imports every resolver (AppSync's brings asyncio) and
    # data_classes/__init__ some forty event classes: a tenth of a REST function's import.
    unused = [
        "aws_lambda_powertools.event_handler.appsync",
        "aws_lambda_powertools.utilities.data_classes.kafka_event",
        "aws_lambda_powertools.utilities.data_classes.s3_event",
    ]
    names = ["AuthorizerFunction", "AuthFunction", "UsersFunction", "AdminFunction", "SessionsFunction"]
    found = imports_of(names, lambda_env(tmp_path, traced=False), unused)

    assert {name: seen["loaded"] for name, seen in found.items()} == {name: [] for name in names}


_LAZY_PROBE = """
import importlib, json, sys
sys.path.insert(0, {layer!r})
if {lazily!r}:
    from peerlearn.coldstart import LAZY_PACKAGES, open_lazily
    for package in LAZY_PACKAGES:
        open_lazily(package)
found = {{}}
for package in {packages!r}:
    module = importlib.import_module(package)
    names = {names!r}.get(package) or module.__all__
    values = {{name: getattr(module, name) for name in names}}
    found[package] = {{name: f"{{v.__module__}}.{{v.__qualname__}}" for name, v in values.items()}}
print(json.dumps(found))
"""


def _names_offered(tmp_path: Path, *, lazily: bool, names: dict[str, list[str]] | None = None) -> dict:
    from peerlearn.coldstart import LAZY_PACKAGES

    code = _LAZY_PROBE.format(
        layer=str(LAYER), lazily=lazily, packages=list(LAZY_PACKAGES), names=names or {}
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=lambda_env(tmp_path, traced=False),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    found: dict[str, dict[str, str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_a_lazily_opened_package_offers_every_name_its_init_does(tmp_path: Path) -> None:
    eager = _names_offered(tmp_path, lazily=False)
    lazy = _names_offered(
        tmp_path, lazily=True, names={package: list(names) for package, names in eager.items()}
    )

    assert lazy == eager
    assert all(len(names) > 10 for names in eager.values())


def test_reexports_reads_relative_absolute_and_parenthesised_imports() -> None:
    from peerlearn.coldstart import reexports

    source = (
        "from .alb_event import ALBEvent\n"
        "from pkg.api import (\n    A,\n    B,\n)\n"
        "from other.api import C\n"
        "from pkg.events.appsync import F\n"
        "from .common import D, E  # two\n"
    )

    assert reexports("pkg", source) == {
        "ALBEvent": "alb_event",
        "A": "api",
        "B": "api",
        "D": "common",
        "E": "common",
        "F": "events.appsync",
    }
