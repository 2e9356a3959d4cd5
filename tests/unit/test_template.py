"""template.yaml and the code agree: handlers exist, routes are unique and served, keys exist."""

from __future__ import annotations

import copy

import pytest
from pynamodb.indexes import GlobalSecondaryIndex

from infra.local import checks
from infra.local.template import Template
from peerlearn.api.routes import admin, auth, sessions, users
from peerlearn.store.models import ALL_MODELS

ROUTERS = {
    "AuthFunction": [auth.router],
    "UsersFunction": [users.router],
    "AdminFunction": [admin.router],
    "SessionsFunction": [sessions.router],
}
DOCS_ROUTES = [("DocsFunction", "GET", "/api/openapi.json"), ("DocsFunction", "GET", "/api/docs")]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load()


def code_routes() -> list[tuple[str, str, str]]:
    found = list(DOCS_ROUTES)
    for function, routers in ROUTERS.items():
        for router in routers:
            for key in router._routes:
                path, methods = key[0], key[1]
                found += [(function, method, path) for method in methods]
    return found


def model_keys() -> tuple[set[str], set[str]]:
    attributes: set[str] = set()
    indexes: set[str] = set()
    for model in ALL_MODELS:
        attributes |= {
            a.attr_name for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key
        }
        for value in vars(model).values():
            if isinstance(value, GlobalSecondaryIndex):
                indexes.add(value.Meta.index_name)
                attributes |= {a.attr_name for a in value.Meta.attributes.values()}
    return attributes, indexes


def test_every_function_handler_exists(template: Template) -> None:
    assert checks.missing_handlers(template) == []


def test_no_route_is_declared_twice(template: Template) -> None:
    assert checks.duplicate_routes(template) == []


def test_every_template_route_is_served_by_its_function_and_vice_versa(template: Template) -> None:
    assert checks.route_mismatches(template, code_routes()) == []


def test_every_key_and_index_the_code_uses_exists_in_the_table(template: Template) -> None:
    attributes, indexes = model_keys()
    assert {"pk", "sk", "gsi1pk", "gsi1sk"} <= attributes
    assert checks.missing_table_keys(template, attributes, indexes) == []


# The checks themselves must be able to fail.
def test_the_checks_catch_a_broken_template(template: Template) -> None:
    broken = Template(raw=copy.deepcopy(template.raw), path=template.path)
    resources = broken.raw["Resources"]
    resources["AuthFunction"]["Properties"]["Handler"] = "app.no_such_handler"
    resources["UsersFunction"]["Properties"]["Events"]["Again"] = copy.deepcopy(
        resources["AuthFunction"]["Properties"]["Events"]["Login"]
    )
    indexes = resources["Table"]["Properties"]["GlobalSecondaryIndexes"]
    indexes[:] = [i for i in indexes if i["IndexName"] != "gsi2"]

    assert checks.missing_handlers(broken) == ["AuthFunction: app.py has no function no_such_handler"]
    assert checks.duplicate_routes(broken) == ["route POST /api/auth/login is declared 2 times"]
    assert "UsersFunction" in " ".join(checks.route_mismatches(broken, code_routes()))
    assert checks.missing_table_keys(broken, {"pk", "nope"}, {"gsi2"}) == [
        "the code keys on attribute 'nope', which the table does not define",
        "the code queries index 'gsi2', which the table does not have",
    ]
