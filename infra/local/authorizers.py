"""Lambda authorizers run as API Gateway runs them, for any API that has them (REST; WebSocket `$connect`).

`authorize(runtime, authorizer, request)` takes an authorizer's definition and what the request
offers (an `AuthorizationRequest`: its method ARN, headers, query string and the fields of the REQUEST
event the API builds) and returns a `Decision`: allowed with the `requestContext.authorizer` the
function gets, or why not. No path matching and no HTTP here: each API maps the outcome to its own
answer. Locally decisions are never cached (in the cloud they are, for `ReauthorizeEvery` seconds).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from infra.local.runtime import FunctionError, Runtime, Throttled

log = logging.getLogger(__name__)

_CONTEXT_VALUE_TYPES = (str, int, float, bool)

Outcome = Literal["allow", "unauthorized", "deny", "implicit-deny", "throttled", "failed", "misconfigured"]


@dataclass(frozen=True)
class Authorizer:
    name: str
    function: str
    payload_type: Literal["REQUEST", "TOKEN"]
    identity_headers: tuple[str, ...] = ()
    identity_query_strings: tuple[str, ...] = ()
    reauthorize_every_seconds: int = 300


@dataclass(frozen=True)
class AuthorizationRequest:
    """What an authorizer may see of a request, whichever API received it."""

    method_arn: str  # what the returned policy is evaluated against
    headers: Mapping[str, str] = field(default_factory=dict)  # one value per name, any case
    query: Mapping[str, str] = field(default_factory=dict)
    # The REQUEST payload's fields besides `type` and `methodArn` (headers, requestContext, ...).
    request_fields: Mapping[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    context: dict[str, Any] | None = None  # `requestContext.authorizer`, when allowed
    duration_ms: float | None = None  # the authorizer's invocation, when it ran

    @property
    def allowed(self) -> bool:
        return self.outcome == "allow"


class AuthorizerConfigurationError(ValueError):
    """The authorizer answered something API Gateway rejects (500 AUTHORIZER_CONFIGURATION_ERROR)."""


def has_identity(authorizer: Authorizer, request: AuthorizationRequest) -> bool:
    """API Gateway refuses (401) without calling the authorizer when an identity source is missing."""
    return all(request.header(h) for h in authorizer.identity_headers) and all(
        request.query.get(q) for q in authorizer.identity_query_strings
    )


def authorizer_event(authorizer: Authorizer, request: AuthorizationRequest) -> dict[str, Any]:
    """The event API Gateway sends a REQUEST or TOKEN authorizer."""
    if authorizer.payload_type == "TOKEN":
        token = request.header(authorizer.identity_headers[0]) if authorizer.identity_headers else None
        return {"type": "TOKEN", "authorizationToken": token, "methodArn": request.method_arn}
    return {"type": "REQUEST", "methodArn": request.method_arn, **request.request_fields}


def authorize(runtime: Runtime, authorizer: Authorizer, request: AuthorizationRequest) -> Decision:
    """Runs the authorizer for the request and evaluates its answer as API Gateway does."""
    if not has_identity(authorizer, request):
        return Decision("unauthorized")
    started = time.monotonic()
    try:
        timed = runtime.invoke_timed(authorizer.function, authorizer_event(authorizer, request))
    except Throttled:
        return Decision("throttled")
    except FunctionError as exc:
        if exc.message == "Unauthorized":  # API Gateway's contract for "no valid identity"
            return Decision("unauthorized", duration_ms=exc.duration_ms)
        log.error(
            "authorizer %s failed on %s: %s: %s", authorizer.function, request.method_arn, exc.error_type, exc
        )
        return Decision("failed", duration_ms=exc.duration_ms)
    try:
        context = authorizer_context(timed.result, int((time.monotonic() - started) * 1000))
    except AuthorizerConfigurationError as exc:
        log.error("authorizer %s: %s", authorizer.function, exc)
        return Decision("misconfigured", duration_ms=timed.duration_ms)
    decision = evaluate_policy(timed.result["policyDocument"], request.method_arn)
    return Decision(decision, context if decision == "allow" else None, timed.duration_ms)


# ---------------------------------------------------------------------- policies
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def evaluate_policy(
    policy_document: Mapping[str, Any], arn: str
) -> Literal["allow", "deny", "implicit-deny"]:
    """IAM evaluation for execute-api: an explicit Deny wins, then any Allow, else implicit deny."""
    allowed = False
    for statement in _as_list(policy_document.get("Statement", [])):
        actions = _as_list(statement.get("Action", []))
        if not any(_wildcard(action).fullmatch("execute-api:Invoke") for action in actions):
            continue
        if not any(
            _wildcard(resource).fullmatch(arn) for resource in _as_list(statement.get("Resource", []))
        ):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        allowed = allowed or effect == "allow"
    return "allow" if allowed else "implicit-deny"


def authorizer_context(result: Any, integration_latency_ms: int) -> dict[str, Any]:
    """`requestContext.authorizer` for the function: context values stringified, plus principalId."""
    if not isinstance(result, Mapping) or not isinstance(result.get("principalId"), str):
        raise AuthorizerConfigurationError("the authorizer must return a principalId string")
    if not isinstance(result.get("policyDocument"), Mapping):
        raise AuthorizerConfigurationError("the authorizer must return a policyDocument")
    context: dict[str, Any] = {}
    for key, value in (result.get("context") or {}).items():
        if not isinstance(value, _CONTEXT_VALUE_TYPES):
            raise AuthorizerConfigurationError(
                f"context value {key!r} is a {type(value).__name__}: only strings, numbers and booleans pass"
            )
        context[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    context["principalId"] = result["principalId"]
    context["integrationLatency"] = integration_latency_ms
    return context
