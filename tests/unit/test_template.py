"""template.yaml and the code agree: handlers exist, routes are unique and served, keys exist."""

from __future__ import annotations

import copy

import pytest
from pynamodb.indexes import GlobalSecondaryIndex

from infra.local import checks
from infra.local.template import Template
from peerlearn.api.routes import (
    admin,
    admin_sessions,
    assistant,
    auth,
    broadcasts,
    channel,
    dashboards,
    notifications,
    payments,
    payouts,
    push,
    recommendations,
    recordings,
    reports,
    rights,
    rooms,
    sessions,
    unsubscribe,
    users,
    webhooks,
)
from peerlearn.store.models import ALL_MODELS

ROUTERS = {
    "AuthFunction": [auth.router],
    "UsersFunction": [users.router],
    "AdminFunction": [admin.router, broadcasts.router, assistant.router, reports.router],
    "SessionsFunction": [sessions.router, rooms.router, recordings.router, admin_sessions.router],
    "PaymentsFunction": [payments.router],
    "WebhooksFunction": [webhooks.router],
    "PayoutsFunction": [payouts.router],
    "NotificationsFunction": [notifications.router, channel.router, push.router, unsubscribe.router],
    "RecommendationsFunction": [recommendations.router],
    "RightsFunction": [rights.router],
    "DashboardsFunction": [dashboards.router],
}
DOCS_ROUTES = [
    ("DocsFunction", "GET", path)
    for path in (
        "/api/openapi.json",
        "/api/docs",
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-init.js",
        "/api/docs/swagger-ui.css",
    )
]


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


# ---------------------------------------------------------------- what CloudFront sends browsers
def content_security_policy(template: Template) -> dict[str, list[str]]:
    policy = template.resources["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    raw = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = raw["Fn::Sub"] if isinstance(raw, dict) else raw
    directives = [d.split() for d in text.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def test_the_csp_allows_no_eval_and_no_inline_script(template: Template) -> None:
    csp = content_security_policy(template)
    assert all("'unsafe-eval'" not in sources for sources in csp.values())
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["script-src"][0] == "'self'"


def test_the_csp_connects_only_to_this_site_and_this_stacks_websocket_api(template: Template) -> None:
    connect = content_security_policy(template)["connect-src"]
    assert connect[0] == "'self'"
    sockets = [source for source in connect if source.startswith("wss")]
    assert sockets == ["wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com"]
    assert all(source == "'self'" or "://" in source for source in connect)  # no bare scheme like wss:


def test_every_api_and_site_answer_carries_the_security_headers(template: Template) -> None:
    distribution = template.resources["WebDistribution"]["Properties"]["DistributionConfig"]
    behaviours = [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeadersPolicy"} for b in behaviours)


def test_the_allowed_origin_has_no_default_and_each_stage_names_its_own() -> None:
    import tomllib

    from infra.local.template import ROOT

    template = Template.load()
    assert "Default" not in template.raw["Parameters"]["WebOrigin"]
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for stage in ("dev", "prod"):
        overrides = config[stage]["deploy"]["parameters"]["parameter_overrides"]
        origin = next(p.split("=", 1)[1] for p in overrides.split() if p.startswith("WebOrigin="))
        assert origin.startswith("https://")
        assert "*" not in origin


def test_cloudfront_sends_the_origin_secret_the_rest_functions_can_read(template: Template) -> None:
    distribution = template.resources["WebDistribution"]["Properties"]["DistributionConfig"]
    api = next(o for o in distribution["Origins"] if o["Id"] == "api")
    [header] = api["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-PeerLearn-Origin"
    assert "resolve:secretsmanager:${OriginSecret}" in header["HeaderValue"]["Fn::Sub"]
    # Every function behind the REST API (a new one too) and the authorizer can read the secret.
    rest = [
        name
        for name, spec in template.resources_of_type("AWS::Serverless::Function")
        if any(e.get("Type") == "Api" for e in spec["Properties"].get("Events", {}).values())
    ]
    assert set(ROUTERS) | {"DocsFunction"} <= set(rest)
    for name in [*rest, "AuthorizerFunction"]:
        spec = template.resources[name]["Properties"]
        assert spec["Environment"]["Variables"]["ORIGIN_SECRET_ARN"] == {"Ref": "OriginSecret"}
        assert {"Ref": "OriginSecretReadPolicy"} in spec["Policies"]


def test_every_function_that_reads_the_jwt_secret_at_cold_start_may_read_its_parameter(
    template: Template,
) -> None:
    # In the cloud Settings.from_env() reads the JWT secret from SSM; without the grant the cold
    # start fails with AccessDenied (Users, Admin and Sessions had none: locally nothing checks IAM).
    import re

    reads_settings = re.compile(r"\brest_function\(|(?<!\w)Settings\.from_env\(")
    needing = [
        name
        for name, spec in template.resources_of_type("AWS::Serverless::Function")
        if reads_settings.search((template.functions()[name].handler_file).read_text())
    ]
    assert {"UsersFunction", "AdminFunction", "SessionsFunction", "JobsFunction"} <= set(needing)
    for name in needing:
        statements = [
            statement
            for policy in template.resources[name]["Properties"]["Policies"]
            if isinstance(policy, dict) and "Statement" in policy
            for statement in policy["Statement"]
        ]
        resources = [
            str(statement["Resource"])
            for statement in statements
            if "ssm:GetParameter" in statement["Action"]
        ]
        assert any("JwtSecretParameterName" in resource for resource in resources), name


def test_no_event_source_has_more_filters_than_lambda_allows(template: Template) -> None:
    # Lambda refuses an event source mapping with more than 5 filter patterns (the default quota):
    # a sixth would pass every local check and fail only at deploy.
    sources = [*template.events_of_type("DynamoDB"), *template.events_of_type("SQS")]
    assert sources
    for function, name, properties in sources:
        patterns = properties.get("FilterCriteria", {}).get("Filters", [])
        assert len(patterns) <= 5, f"{function.logical_id}.{name} has {len(patterns)} filters"


def _statements(template: Template, function: str) -> list[dict[str, object]]:
    return [
        statement
        for policy in template.resources[function]["Properties"]["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
    ]


def test_the_recommendations_function_writes_only_the_keys_of_a_view(template: Template) -> None:
    from fnmatch import fnmatch

    from peerlearn.recommend.serving import VIEWS_PER_LEARNER
    from peerlearn.store.analytics import ALL
    from peerlearn.store.keys import rate_pk, rollup_pk, session_pk
    from peerlearn.store.recommend import view_pk

    writes = [
        s
        for s in _statements(template, "RecommendationsFunction")
        if {"dynamodb:PutItem", "dynamodb:UpdateItem"} & set(s["Action"])
    ]
    assert len(writes) == 1
    leading = writes[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    view_keys = (session_pk("S1"), view_pk("L1", "S1", "2026-11-29"), rate_pk(VIEWS_PER_LEARNER.scope, "L1"))
    for key in (*view_keys, rollup_pk(ALL)):  # a counted view is the analytics funnel's first step
        assert any(fnmatch(key, pattern) for pattern in leading), key
    assert not any(fnmatch(key, pattern) for pattern in leading for key in ("USER#L1", rollup_pk("mentor")))


def test_old_recommendation_builds_expire_and_the_pointer_does_not(template: Template) -> None:
    from peerlearn.recommend import artefacts

    rules = template.resources["UploadsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = [r for r in rules if "ExpirationInDays" in r]
    assert [(r["Prefix"], r["ExpirationInDays"], r["Status"]) for r in expiring] == [
        (artefacts.S3_ROOT + artefacts.BUILDS, 2, "Enabled")
    ]
    assert artefacts.model_key("B1").startswith(artefacts.BUILDS)
    assert not (artefacts.S3_ROOT + artefacts.POINTER_KEY).startswith(expiring[0]["Prefix"])


def test_the_recommendations_functions_reach_only_models_in_the_bucket_and_only_the_build_scans(
    template: Template,
) -> None:
    for function, actions in (
        ("RecommendationsFunction", ["s3:GetObject"]),
        ("RecommendBuildFunction", ["s3:PutObject"]),
    ):
        s3 = [
            s for s in _statements(template, function) if any(str(a).startswith("s3:") for a in s["Action"])
        ]
        assert [s["Action"] for s in s3] == [actions], function
        assert [s["Resource"] for s in s3] == [{"Fn::Sub": "${UploadsBucket.Arn}/models/*"}], function
    scans = [
        name
        for name in ("RecommendationsFunction", "RecommendBuildFunction")
        for s in _statements(template, name)
        if "dynamodb:Scan" in s["Action"]
    ]
    assert scans == ["RecommendBuildFunction"]
    build = template.resources["RecommendBuildFunction"]["Properties"]
    [schedule] = build["Events"].values()
    assert schedule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    assert schedule["Properties"]["Input"] == '{"job": "recommend"}'


def _audit_recorders() -> set[str]:
    """peerlearn modules that add an entry to the audit log (call `audit.record`)."""
    from pathlib import Path

    import peerlearn

    root = Path(peerlearn.__file__).parent
    return {
        "peerlearn." + ".".join(path.relative_to(root).with_suffix("").parts)
        for path in root.rglob("*.py")
        if "audit.record(" in path.read_text()
    } - {"peerlearn.audit"}


# The functions whose code adds audit entries, and the modules that do it there. A module that starts
# recording admin actions fails the test below until its function is tagged and listed here.
AUDIT_WRITERS = {
    "AdminFunction": {"peerlearn.accounts.admin", "peerlearn.notices.broadcasts"},
    "RightsFunction": {"peerlearn.rights.requests"},
    "PayoutsFunction": {"peerlearn.payouts.withdrawals", "peerlearn.payouts.approval"},
    "PaymentsFunction": {"peerlearn.payments.refunds"},
    # an admin ends a session, resolves a flag, takes an observer's ticket
    "SessionsFunction": {"peerlearn.catalog.lifecycle", "peerlearn.catalog.flags", "peerlearn.live.tickets"},
}


def test_only_the_functions_that_record_admin_actions_may_put_under_the_audit_log(
    template: Template,
) -> None:
    # The boundary denies PutItem under AUDIT to every role without the audit-writer tag
    boundary = template.resources["AuditLogBoundary"]["Properties"]["PolicyDocument"]["Statement"]
    [put] = [s for s in boundary if s["Effect"] == "Deny" and s["Action"] == ["dynamodb:PutItem"]]
    assert put["Condition"]["ForAnyValue:StringEquals"]["dynamodb:LeadingKeys"] == ["AUDIT"]
    assert put["Condition"]["StringNotEquals"] == {"aws:PrincipalTag/audit-writer": "true"}
    # and exactly the functions that record entries carry the tag
    assert _audit_recorders() == set().union(*AUDIT_WRITERS.values())
    tagged = {
        name
        for name, resource in template.resources.items()
        if (resource.get("Properties") or {}).get("Tags", {}).get("audit-writer") == "true"
    }
    assert tagged == set(AUDIT_WRITERS)


def test_the_functions_that_page_through_a_bulk_emails_audience_may_batch_get(template: Template) -> None:
    # A session's attendees are read a page at a time with BatchGetItem (notices.segments): the
    # admin counts and previews them, the stream sends each page. Locally nothing checks IAM, so a
    # missing grant showed only in the cloud: the stream failed every page and nobody was emailed.
    import inspect

    from peerlearn.notices import segments

    assert "batch_get(" in inspect.getsource(segments)
    table = {"Fn::GetAtt": ["Table", "Arn"]}
    for function in ("AdminFunction", "StreamsFunction"):
        table_actions = {
            str(action)
            for s in _statements(template, function)
            if table == s["Resource"] or (isinstance(s["Resource"], list) and table in s["Resource"])
            for action in s["Action"]
        }
        assert "dynamodb:BatchGetItem" in table_actions, function
