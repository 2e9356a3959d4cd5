"""The shape of the template's WebSocket API: its routes with their functions and authorizers, read
from `AWS::ApiGatewayV2::Api` (ProtocolType WEBSOCKET), `Route`, `Integration` (AWS_PROXY to a
function of the template), `Authorizer` (REQUEST), `RouteResponse` and `Stage` resources, and route
selection as API Gateway does it (`$request.body.<path>`, else `$default`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.local.account import api_id
from infra.local.authorizers import Authorizer
from infra.local.template import Template

log = logging.getLogger(__name__)

CONNECT = "$connect"
DISCONNECT = "$disconnect"
DEFAULT = "$default"

# `arn:...:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations`, where the
# function ARN resolves locally to `<LogicalId>.Arn` (a !GetAtt or ${X.Arn} the template has no value for).
_INVOCATION_URI = re.compile(r"functions/(?P<arn>.+)/invocations$")
_IDENTITY_SOURCE = re.compile(r"route\.request\.(?P<where>header|querystring)\.(?P<name>.+)")


@dataclass(frozen=True)
class WebSocketRoute:
    key: str  # "$connect", "$default", "chat"...
    function: str | None  # the integration's function; None for a route without one
    authorizer: Authorizer | None = None  # only $connect may have one
    two_way: bool = False  # a RouteResponse exists: the function's body goes back to the client


@dataclass(frozen=True)
class WebSocketApi:
    logical_id: str
    api_id: str
    stage: str
    selection_expression: str = "$request.body.action"
    routes: Mapping[str, WebSocketRoute] = field(default_factory=dict)

    def route(self, key: str) -> WebSocketRoute | None:
        return self.routes.get(key)

    def select(self, body: str | None) -> WebSocketRoute | None:
        """The route of a message: the selection expression's value if a route has that key, else
        `$default` (also when the body is not JSON or lacks the field), else None."""
        key = selection_key(self.selection_expression, body)
        if key is not None and key in self.routes and key not in (CONNECT, DISCONNECT):
            return self.routes[key]
        return self.routes.get(DEFAULT)


def selection_key(expression: str, body: str | None) -> str | None:
    """The value `$request.body.a.b` selects in a JSON body (a string, number or boolean), or None."""
    if not expression.startswith("$request.body.") or body is None:
        return None
    try:
        value: Any = json.loads(body)
    except ValueError:
        return None
    for part in expression.removeprefix("$request.body.").split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else None


def load_websocket_apis(template: Template) -> dict[str, WebSocketApi]:
    """Every WEBSOCKET API of the template, with its routes (no routes: an API that accepts every
    connection and answers every message that no route takes, as API Gateway does)."""
    apis: dict[str, WebSocketApi] = {}
    for logical_id, resource in template.resources_of_type("AWS::ApiGatewayV2::Api"):
        props = template.resolve(resource.get("Properties") or {})
        if props.get("ProtocolType") != "WEBSOCKET":
            continue
        apis[logical_id] = WebSocketApi(
            logical_id=logical_id,
            api_id=api_id(logical_id),
            stage=_stage(template, logical_id),
            selection_expression=str(props.get("RouteSelectionExpression", "$request.body.action")),
            routes=_routes(template, logical_id),
        )
    return apis


def _belongs(template: Template, props: Mapping[str, Any], api_logical_id: str) -> bool:
    return str(props.get("ApiId")) in (api_logical_id, template.refs.get(api_logical_id))


def _stage(template: Template, api_logical_id: str) -> str:
    for _, resource in template.resources_of_type("AWS::ApiGatewayV2::Stage"):
        props = template.resolve(resource.get("Properties") or {})
        if _belongs(template, props, api_logical_id):
            return str(props["StageName"])
    raise ValueError(f"{api_logical_id}: no AWS::ApiGatewayV2::Stage to serve it locally")


def _routes(template: Template, api_logical_id: str) -> dict[str, WebSocketRoute]:
    integrations = {
        logical_id: _integration_function(
            template, logical_id, template.resolve(resource.get("Properties") or {})
        )
        for logical_id, resource in template.resources_of_type("AWS::ApiGatewayV2::Integration")
    }
    authorizers = {
        logical_id: _authorizer(template, logical_id, template.resolve(resource.get("Properties") or {}))
        for logical_id, resource in template.resources_of_type("AWS::ApiGatewayV2::Authorizer")
    }
    two_way = {
        str(props.get("RouteId"))
        for props in (
            template.resolve(resource.get("Properties") or {})
            for _, resource in template.resources_of_type("AWS::ApiGatewayV2::RouteResponse")
        )
        if props.get("RouteResponseKey") == DEFAULT
    }
    routes: dict[str, WebSocketRoute] = {}
    for logical_id, resource in template.resources_of_type("AWS::ApiGatewayV2::Route"):
        props = template.resolve(resource.get("Properties") or {})
        if not _belongs(template, props, api_logical_id):
            continue
        key = str(props["RouteKey"])
        function = None
        target = props.get("Target")
        if target is not None:
            integration = str(target).removeprefix("integrations/")
            if integration not in integrations:
                raise ValueError(
                    f"route {logical_id}: Target {target!r} is not an integration of the template"
                )
            function = integrations[integration]
        authorizer = None
        if props.get("AuthorizationType") == "CUSTOM":
            if key != CONNECT:
                raise ValueError(f"route {logical_id}: only $connect may have an authorizer")
            authorizer = authorizers[str(props["AuthorizerId"])]
        routes[key] = WebSocketRoute(key, function, authorizer, logical_id in two_way)
    return routes


def function_of_uri(template: Template, uri: str) -> str:
    """The logical id of the template function an integration or authorizer URI invokes."""
    match = _INVOCATION_URI.search(uri)
    arn = match.group("arn") if match else uri
    logical_id = arn.removesuffix(".Arn")
    if logical_id not in template.functions():
        raise ValueError(f"{uri!r} does not invoke a function of the template (use !GetAtt <Function>.Arn)")
    return logical_id


def _integration_function(template: Template, logical_id: str, props: Mapping[str, Any]) -> str:
    if props.get("IntegrationType") != "AWS_PROXY":
        raise ValueError(f"integration {logical_id}: only AWS_PROXY (Lambda proxy) runs locally")
    return function_of_uri(template, str(props["IntegrationUri"]))


def _authorizer(template: Template, logical_id: str, props: Mapping[str, Any]) -> Authorizer:
    if props.get("AuthorizerType") != "REQUEST":
        raise ValueError(f"authorizer {logical_id}: WebSocket APIs have REQUEST authorizers only")
    headers: list[str] = []
    query_strings: list[str] = []
    for source in props.get("IdentitySource") or []:
        found = _IDENTITY_SOURCE.fullmatch(str(source))
        if found is None:
            log.warning("authorizer %s: identity source %s is not checked locally", logical_id, source)
            continue
        (headers if found.group("where") == "header" else query_strings).append(found.group("name"))
    return Authorizer(
        name=str(props.get("Name", logical_id)),
        function=function_of_uri(template, str(props["AuthorizerUri"])),
        payload_type="REQUEST",
        identity_headers=tuple(headers),
        identity_query_strings=tuple(query_strings),
        reauthorize_every_seconds=0,  # WebSocket authorizers run once per connection, uncached
    )
