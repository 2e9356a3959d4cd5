"""The shape of the template's REST APIs: endpoints with their authorizers, CORS and gateway responses,
read from `AWS::Serverless::Api` resources and the functions' `Type: Api` events, and path matching
as API Gateway does it (literal segments over `{param}` over greedy `{proxy+}`; one trailing slash
ignored).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.local.account import api_id
from infra.local.authorizers import Authorizer
from infra.local.template import Template

IMPLICIT_API = "ServerlessRestApi"


@dataclass(frozen=True)
class Cors:
    allow_origin: str
    allow_headers: str | None = None
    allow_methods: str | None = None
    max_age: str | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """One method on one resource path, served by one function."""

    function: str
    event_name: str
    method: str  # upper case, or ANY
    resource: str  # "/api/users/{id}"
    authorizer: Authorizer | None
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    specificity: tuple[int, ...] = field(compare=False, repr=False)

    @classmethod
    def build(
        cls, function: str, event_name: str, method: str, resource: str, authorizer: Authorizer | None
    ) -> Endpoint:
        pattern, specificity = compile_resource(resource)
        return cls(function, event_name, method.upper(), resource, authorizer, pattern, specificity)


@dataclass
class RestApi:
    logical_id: str
    api_id: str
    stage: str
    endpoints: list[Endpoint] = field(default_factory=list)
    cors: Cors | None = None
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)

    def match(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint API Gateway would pick for this request, with its path parameters."""
        candidates = []
        for endpoint in self.endpoints:
            if endpoint.method not in (method, "ANY"):
                continue
            params = match_resource(endpoint.pattern, path)
            if params is not None:
                candidates.append((endpoint.specificity, endpoint.method == "ANY", endpoint, params))
        if not candidates:
            return None
        _, _, endpoint, params = min(candidates, key=lambda c: (c[0], c[1]))
        return endpoint, params

    def methods_at(self, path: str) -> list[str]:
        return sorted({e.method for e in self.endpoints if match_resource(e.pattern, path) is not None})

    def gateway_response(self, response_type: str, message: str | None, request_id: str) -> GatewayResponse:
        """The answer for a gateway error, from `GatewayResponses` or API Gateway's defaults."""
        default_status, default_body = _DEFAULT_GATEWAY_RESPONSES[response_type]
        family = "DEFAULT_5XX" if default_status >= 500 else "DEFAULT_4XX"
        configured = self.gateway_responses.get(response_type) or self.gateway_responses.get(family)
        if configured is None:
            return GatewayResponse(default_status, default_body)
        status = configured.status if response_type in self.gateway_responses else default_status
        body = (
            configured.body.replace("$context.error.messageString", json.dumps(message))
            .replace("$context.error.message", message or "")
            .replace("$context.error.responseType", response_type)
            .replace("$context.requestId", request_id)
        )
        return GatewayResponse(status, body or default_body, configured.headers)


_DEFAULT_GATEWAY_RESPONSES = {
    "UNAUTHORIZED": (401, '{"message":"Unauthorized"}'),
    "ACCESS_DENIED": (403, '{"Message":"User is not authorized to access this resource"}'),
    "MISSING_AUTHENTICATION_TOKEN": (403, '{"message":"Missing Authentication Token"}'),
    "THROTTLED": (429, '{"message":"Too Many Requests"}'),
    "REQUEST_TOO_LARGE": (413, '{"message":"Request Too Long"}'),
    "AUTHORIZER_FAILURE": (500, '{"message":null}'),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, '{"message":null}'),
}


def load_apis(template: Template) -> dict[str, RestApi]:
    """Every REST API of the template with the endpoints its functions' `Api` events declare."""
    apis: dict[str, RestApi] = {}
    raw_apis = dict(template.resources_of_type("AWS::Serverless::Api"))
    for spec in template.functions().values():
        for event_name, event in spec.events.items():
            if event.get("Type") != "Api":
                continue
            raw_props = event.get("Properties", {})
            ref = raw_props.get("RestApiId", {"Ref": IMPLICIT_API})
            api_logical_id = ref["Ref"] if isinstance(ref, dict) and "Ref" in ref else str(ref)
            if api_logical_id not in apis:
                apis[api_logical_id] = _load_api(template, api_logical_id, raw_apis.get(api_logical_id))
            api = apis[api_logical_id]
            props = template.resolve(raw_props)
            authorizer = _event_authorizer(template, raw_apis.get(api_logical_id), props)
            api.endpoints.append(
                Endpoint.build(spec.logical_id, event_name, props["Method"], props["Path"], authorizer)
            )
    return apis


def _load_api(template: Template, logical_id: str, resource: dict[str, Any] | None) -> RestApi:
    props = template.resolve((resource or {}).get("Properties", {}))
    return RestApi(
        logical_id=logical_id,
        api_id=api_id(logical_id),
        stage=str(props.get("StageName", "Prod")),
        cors=_cors(props.get("Cors")),
        gateway_responses={
            name: _gateway_response(name, spec)
            for name, spec in (props.get("GatewayResponses") or {}).items()
        },
    )


def _unquote(value: Any) -> str:
    """SAM wants CORS values as quoted literals ("'*'"); the header carries what is inside."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _cors(spec: Any) -> Cors | None:
    if not spec:
        return None
    if isinstance(spec, str):
        return Cors(allow_origin=_unquote(spec))
    return Cors(
        allow_origin=_unquote(spec["AllowOrigin"]),
        allow_headers=_unquote(spec["AllowHeaders"]) if "AllowHeaders" in spec else None,
        allow_methods=_unquote(spec["AllowMethods"]) if "AllowMethods" in spec else None,
        max_age=_unquote(spec["MaxAge"]) if "MaxAge" in spec else None,
        allow_credentials=bool(spec.get("AllowCredentials", False)),
    )


def _gateway_response(name: str, spec: Mapping[str, Any]) -> GatewayResponse:
    templates = spec.get("ResponseTemplates") or {}
    body = templates.get("application/json") or next(iter(templates.values()), "")
    headers = tuple(
        (header, _unquote(value))
        for header, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()
    )
    default_status = _DEFAULT_GATEWAY_RESPONSES.get(name, (400 if "4XX" in name else 500, ""))[0]
    return GatewayResponse(int(spec.get("StatusCode", default_status)), body, headers)


def _event_authorizer(
    template: Template, api_resource: dict[str, Any] | None, event_props: Mapping[str, Any]
) -> Authorizer | None:
    auth = template.resolve((api_resource or {}).get("Properties", {}).get("Auth") or {})
    name = (event_props.get("Auth") or {}).get("Authorizer") or auth.get("DefaultAuthorizer")
    if not name or name == "NONE" or name == "AWS_IAM":
        return None
    spec = auth["Authorizers"][name]
    raw_arn = (api_resource or {})["Properties"]["Auth"]["Authorizers"][name]["FunctionArn"]
    if not (isinstance(raw_arn, dict) and "Fn::GetAtt" in raw_arn):
        raise ValueError(f"authorizer {name}: FunctionArn must be !GetAtt <Function>.Arn to run locally")
    identity = spec.get("Identity") or {}
    payload_type = spec.get("FunctionPayloadType", "TOKEN")
    headers = identity.get("Headers") or (
        [] if payload_type == "REQUEST" else [identity.get("Header", "Authorization")]
    )
    return Authorizer(
        name=name,
        function=raw_arn["Fn::GetAtt"][0],
        payload_type=payload_type,
        identity_headers=tuple(headers),
        identity_query_strings=tuple(identity.get("QueryStrings") or ()),
        reauthorize_every_seconds=int(identity.get("ReauthorizeEvery", 300)),
    )


# ---------------------------------------------------------------------- paths
def compile_resource(resource: str) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """A regex for a resource path and its specificity (literal 0 < {param} 1 < {greedy+} 2)."""
    parts, specificity = [], []
    for segment in resource.strip("/").split("/") if resource.strip("/") else []:
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{_group(segment[1:-2])}>.+)")
            specificity.append(2)
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{_group(segment[1:-1])}>[^/]+)")
            specificity.append(1)
        else:
            parts.append(re.escape(segment))
            specificity.append(0)
    return re.compile("/" + "/".join(parts), re.DOTALL), tuple(specificity)


def _group(name: str) -> str:
    # Regex group names must be identifiers; path parameter names may hold "-" or ".".
    return "p_" + "".join(c if c.isalnum() else f"_{ord(c):x}_" for c in name)


def _param_name(group: str) -> str:
    return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), group.removeprefix("p_"))


def match_resource(pattern: re.Pattern[str], path: str) -> dict[str, str] | None:
    """Path parameters when `path` matches, ignoring one trailing slash as API Gateway REST does."""
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    found = pattern.fullmatch(path)
    if found is None:
        return None
    return {_param_name(name): value for name, value in found.groupdict().items()}
