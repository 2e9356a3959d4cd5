"""Lambda authorizers as API Gateway runs them: identity sources, the runner's outcomes, IAM policies."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.authorizers import (
    AuthorizationRequest,
    Authorizer,
    AuthorizerConfigurationError,
    authorize,
    authorizer_context,
    evaluate_policy,
    has_identity,
)
from infra.local.runtime import FunctionError, Throttled, Timed

JWT = Authorizer("Jwt", "AuthorizerFunction", "REQUEST", ("Authorization",))
ARN = "arn:aws:execute-api:ap-south-1:000000000000:abc1234567/local/GET/api/users/42"
CONNECT_ARN = "arn:aws:execute-api:ap-south-1:000000000000:ws12345678/local/$connect"


def test_the_identity_source_must_be_present() -> None:
    def with_headers(**headers: str) -> AuthorizationRequest:
        return AuthorizationRequest(ARN, headers=headers)

    assert not has_identity(JWT, with_headers())
    assert not has_identity(JWT, with_headers(authorization=""))
    assert has_identity(JWT, with_headers(authorization="Bearer x"))
    assert has_identity(JWT, with_headers(AUTHORIZATION="Bearer x"))


# ---------------------------------------------------------------------- policies
def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_an_allow_with_wildcards_allows() -> None:
    allow = {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:*:*:abc1234567/*/*",
    }

    assert evaluate_policy(policy(allow), ARN) == "allow"


def test_a_question_mark_matches_one_character() -> None:
    allow = {"Action": "execute-api:*", "Effect": "Allow", "Resource": ARN[:-1] + "?"}

    assert evaluate_policy(policy(allow), ARN) == "allow"
    assert evaluate_policy(policy(allow), ARN + "2") == "implicit-deny"


def test_an_explicit_deny_wins_over_an_allow() -> None:
    allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}
    deny = {"Action": ["execute-api:Invoke"], "Effect": "Deny", "Resource": [ARN]}

    assert evaluate_policy(policy(allow, deny), ARN) == "deny"


def test_no_matching_allow_is_an_implicit_deny() -> None:
    other_path = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN.replace("42", "43")}
    other_action = {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}

    assert evaluate_policy(policy(other_path, other_action), ARN) == "implicit-deny"


def test_a_single_statement_object_is_accepted() -> None:
    document = {"Statement": {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}}

    assert evaluate_policy(document, ARN) == "allow"


def test_context_values_are_stringified_and_the_principal_added() -> None:
    result = {
        "principalId": "u1",
        "policyDocument": policy(),
        "context": {"role": "admin", "ok": True, "n": 3},
    }

    context = authorizer_context(result, integration_latency_ms=4)

    assert context == {"role": "admin", "ok": "true", "n": "3", "principalId": "u1", "integrationLatency": 4}


@pytest.mark.parametrize(
    "result",
    [
        {"policyDocument": {}},
        {"principalId": "u1"},
        {"principalId": "u1", "policyDocument": {}, "context": {"nested": {"a": 1}}},
        {"principalId": "u1", "policyDocument": {}, "context": {"missing": None}},
    ],
)
def test_answers_api_gateway_rejects_are_configuration_errors(result: dict[str, object]) -> None:
    with pytest.raises(AuthorizerConfigurationError):
        authorizer_context(result, 0)


# ---------------------------------------------------------------------- the runner
class AnsweringRuntime:
    """Answers the authorizer with `answer` (or raises it), in 2.5 ms."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def invoke_timed(self, function: str, event: dict[str, Any]) -> Timed:
        self.events.append(event)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return Timed(self.answer, 2.5)


def connect_request(**headers: str) -> AuthorizationRequest:
    """A WebSocket $connect as the next API will describe it: no REST path matching involved."""
    return AuthorizationRequest(
        CONNECT_ARN,
        headers=headers,
        query={"ticket": "t1"},
        request_fields={"headers": headers, "requestContext": {"routeKey": "$connect"}},
    )


def test_an_allowing_authorizer_gives_its_context_and_duration() -> None:
    allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": CONNECT_ARN}
    runtime = AnsweringRuntime(
        {"principalId": "u1", "policyDocument": policy(allow), "context": {"role": "mentor"}}
    )

    decision = authorize(runtime, JWT, connect_request(Authorization="Bearer x"))  # type: ignore[arg-type]

    assert decision.allowed
    assert decision.context is not None
    assert (decision.context["principalId"], decision.context["role"]) == ("u1", "mentor")
    assert decision.duration_ms == 2.5
    (event,) = runtime.events
    assert (event["type"], event["methodArn"]) == ("REQUEST", CONNECT_ARN)
    assert event["requestContext"] == {"routeKey": "$connect"}


def test_a_policy_for_another_resource_is_an_implicit_deny_without_context() -> None:
    allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}
    runtime = AnsweringRuntime({"principalId": "u1", "policyDocument": policy(allow)})

    decision = authorize(runtime, JWT, connect_request(Authorization="Bearer x"))  # type: ignore[arg-type]

    assert (decision.outcome, decision.context) == ("implicit-deny", None)


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (FunctionError("Exception", "Unauthorized", duration_ms=1.0), "unauthorized"),
        (FunctionError("KeyError", "'sub'", duration_ms=1.0), "failed"),
        (Throttled("busy"), "throttled"),
        ({"principalId": 7, "policyDocument": {}}, "misconfigured"),
    ],
)
def test_each_failure_has_its_outcome(answer: Any, outcome: str) -> None:
    decision = authorize(AnsweringRuntime(answer), JWT, connect_request(Authorization="Bearer x"))  # type: ignore[arg-type]

    assert decision.outcome == outcome
    assert not decision.allowed


def test_a_missing_identity_is_unauthorized_without_running_the_authorizer() -> None:
    runtime = AnsweringRuntime({})

    decision = authorize(runtime, JWT, connect_request())  # type: ignore[arg-type]

    assert (decision.outcome, decision.duration_ms, runtime.events) == ("unauthorized", None, [])
