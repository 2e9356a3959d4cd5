"""What the OpenAPI document says about answers: every operation lists the errors it can give, all
in the one error shape, and a success of any 2xx status; never the 422 Powertools assumes (our
validation answers 400). Applied to the whole document, so no route can forget.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import OpenAPI
from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    """What went wrong: a stable code to branch on, a sentence to show, the field at fault."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "code": "invalid_request",
                    "message": "email: value is not a valid email address",
                    "field": "email",
                }
            ]
        },
    )

    code: str = Field(
        description="Stable and machine-readable, e.g. invalid_request, not_found, email_taken."
    )
    message: str = Field(description="A sentence for people.")
    field: str | None = Field(default=None, description="The request field at fault, when one is.")
    retry_after_seconds: int | None = Field(default=None, description="429 only: seconds to wait.")
    retry_at: str | None = Field(default=None, description="429 only: when to retry (ISO-8601 UTC).")


class ErrorBody(BaseModel):
    """Every error answer of the API (functions and gateway alike)."""

    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    "400": "The request is not valid: `invalid_request` (the field is named), `invalid_json`, "
    "`invalid_encoding`, or a rule of the domain.",
    "401": "Sign in first, or the credentials or token are not (or no longer) valid.",
    "403": "Not allowed: `forbidden` (role, ban, ownership), or `direct_access` (not through the "
    "site's own address).",
    "404": "Nothing with that id.",
    "409": "The change conflicts with the current state (`conflict` or a more specific code).",
    "429": "Too many requests: retry after `retry_after_seconds` (also the Retry-After header).",
    "503": "Razorpay (or, for the assistant, Groq) could not be reached (`unavailable`): nothing changed; "
    "try again shortly.",
}
_WRITES = {"post", "put", "patch", "delete"}
_CALLS_RAZORPAY = ("/api/payments/", "/api/gift/", "/api/admin/payments/")
_CALLS_GROQ = ("/api/admin/assistant",)
_SCHEMA_REF = "#/components/schemas/{model}"


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses an operation can answer with.

    Any request can be malformed (400), arrive other than through CloudFront (403) or be throttled
    by API Gateway (429). Signed-in routes, and the sign-in routes that check a password or a
    token, answer 401; routes naming something by id answer 404; writes can conflict (409); the
    writes that call Razorpay (or Groq) can find it unreachable (503).
    """
    statuses = ["400", "403", "429"]
    if operation.get("security") or "auth" in operation.get("tags", []):
        statuses.append("401")
    if "{" in path:
        statuses.append("404")
    if method in _WRITES:
        statuses.append("409")
    if method in _WRITES and path.startswith(_CALLS_RAZORPAY + _CALLS_GROQ):
        statuses.append("503")
    return sorted(statuses)


def declare_answers(schema: OpenAPI) -> OpenAPI:
    """`schema` with every operation's errors declared (the one error shape) and no 422."""
    document = schema.model_dump(by_alias=True, exclude_none=True, mode="json")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    body_schema = ErrorBody.model_json_schema(ref_template=_SCHEMA_REF)
    components.update(body_schema.pop("$defs", {}))
    components["ErrorBody"] = body_schema
    error_content = {"application/json": {"schema": {"$ref": _SCHEMA_REF.format(model="ErrorBody")}}}

    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _WRITES | {"get", "head", "options"}:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)
            _success_of_any_2xx(responses)
            declared_by_route = {status for status in responses if status[:1] in ("4", "5")}
            for status in sorted(set(error_statuses(method, path, operation)) | declared_by_route):
                declared = responses.setdefault(status, {})
                declared.setdefault("description", ERROR_DESCRIPTIONS.get(status, "An error."))
                declared["content"] = error_content
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return OpenAPI.model_validate(document)


def _success_of_any_2xx(responses: dict[str, Any]) -> None:
    # Routes answer 201 for what they create and 202 for what they accept for later, with the
    # model Powertools documents under 200; a range keeps the document true without each route
    # repeating its status in its decorator.
    if "200" in responses and not any(s.startswith("2") and s != "200" for s in responses):
        success = responses.pop("200")
        success["description"] = "Success (201 when something was created, 202 when accepted for later)."
        responses["2XX"] = success
