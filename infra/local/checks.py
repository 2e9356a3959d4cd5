"""Consistency checks between template.yaml and the code; run by the unit tests (and usable alone).

Each check returns a list of problems (empty when all is well) so a test can also prove it fails.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable

from infra.local.template import Template
from infra.local.triggers.websocket.api import load_websocket_apis


def _route_key(method: str, path: str) -> tuple[str, str]:
    # API Gateway REST ignores one trailing slash; {param} and <param> are the same placeholder.
    normal = re.sub(r"[{<][^}>]+[}>]", "{}", path.removesuffix("/") or "/")
    return method.upper(), normal


def _module_names(tree: ast.Module) -> set[str]:
    """Names a module defines at top level: functions, and names bound by (tuple) assignment."""
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names |= {e.id for e in elements if isinstance(e, ast.Name)}
    return names


def missing_handlers(template: Template) -> list[str]:
    problems = []
    for spec in template.functions().values():
        path = spec.handler_file
        if not path.exists():
            problems.append(f"{spec.logical_id}: handler file {path} does not exist")
            continue
        if spec.handler not in _module_names(ast.parse(path.read_text())):
            problems.append(f"{spec.logical_id}: {path.name} has no function {spec.handler}")
    return problems


def template_routes(template: Template) -> list[tuple[str, tuple[str, str]]]:
    return [
        (spec.logical_id, _route_key(props["Method"], props["Path"]))
        for spec, _name, props in template.events_of_type("Api")
    ]


def duplicate_routes(template: Template) -> list[str]:
    counts = Counter(key for _fn, key in template_routes(template))
    return [f"route {method} {path} is declared {n} times" for (method, path), n in counts.items() if n > 1]


def route_mismatches(template: Template, code_routes: Iterable[tuple[str, str, str]]) -> list[str]:
    """code_routes: (function logical id, method, path) declared by the routers each function serves."""
    declared = {(fn, key) for fn, key in template_routes(template)}
    served = {(fn, _route_key(method, path)) for fn, method, path in code_routes}
    problems = [
        f"{fn} serves {m} {p} but the template routes no such event to it" for fn, (m, p) in served - declared
    ]
    problems += [
        f"template routes {m} {p} to {fn}, whose code has no such route" for fn, (m, p) in declared - served
    ]
    return sorted(problems)


def missing_table_keys(template: Template, key_attributes: set[str], index_names: set[str]) -> list[str]:
    props = template.resources["Table"]["Properties"]
    defined = {a["AttributeName"] for a in props["AttributeDefinitions"]}
    indexes = {i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])}
    problems = [
        f"the code keys on attribute {a!r}, which the table does not define" for a in key_attributes - defined
    ]
    problems += [
        f"the code queries index {i!r}, which the table does not have" for i in index_names - indexes
    ]
    return sorted(problems)


def websocket_invoke_permissions(template: Template) -> list[str]:
    """Functions behind the WebSocket API that API Gateway may not invoke in the cloud.

    Locally nothing checks IAM, so a route without its `AWS::Lambda::Permission` (principal
    apigateway.amazonaws.com) works here and fails on the first deploy: checked here instead.
    """
    invoked: set[str] = set()
    for api in load_websocket_apis(template).values():
        for route in api.routes.values():
            invoked |= {route.function} if route.function else set()
            invoked |= {route.authorizer.function} if route.authorizer else set()
    allowed = set()
    for _, resource in template.resources_of_type("AWS::Lambda::Permission"):
        props = template.resolve(resource.get("Properties") or {})
        if (
            props.get("Principal") == "apigateway.amazonaws.com"
            and props.get("Action") == "lambda:InvokeFunction"
        ):
            allowed.add(str(props.get("FunctionName")).removesuffix(".Arn"))
    return [
        f"{function} is invoked by the WebSocket API but API Gateway has no AWS::Lambda::Permission to"
        for function in sorted(invoked - allowed)
    ]
