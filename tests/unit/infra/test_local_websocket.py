"""API Gateway's WebSocket API emulation: the template's routes, route selection, the events functions
get, and the gateway's answers with a stand-in runtime (the real one runs in the integration tests)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.websockets import WebSocketDisconnect

from infra.local import checks
from infra.local.authorizers import authorizer_event
from infra.local.environment import local_refs
from infra.local.runtime import FunctionError, Runtime, Timed
from infra.local.template import Template
from infra.local.triggers.websocket import WebSocketTrigger
from infra.local.triggers.websocket.api import (
    WebSocketApi,
    WebSocketRoute,
    load_websocket_apis,
    selection_key,
)
from infra.local.triggers.websocket.events import (
    ConnectionInfo,
    authorization_request,
    connect_event,
    disconnect_event,
    message_event,
)
from tests.support import load_event, wait_until

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx is what the project pins
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

FIXTURE = Path(__file__).parents[2] / "integration" / "infra" / "fixtures" / "websocket" / "template.yaml"
URL = "http://127.0.0.1:3000"


def fixture_api() -> WebSocketApi:
    template = Template.load(FIXTURE)
    template.refs = local_refs(template, "t", URL)
    (api,) = load_websocket_apis(template).values()
    return api


# ---------------------------------------------------------------------- the template
def test_the_fixture_template_reads_as_api_gateway_wires_it() -> None:
    api = fixture_api()

    assert api.stage == "local"
    assert api.selection_expression == "$request.body.action"
    assert set(api.routes) == {"$connect", "$disconnect", "$default", "echo", "silent", "post", "boom"}
    assert {route.function for route in api.routes.values()} == {"RoomFunction"}
    connect = api.routes["$connect"]
    assert connect.authorizer is not None
    assert connect.authorizer.function == "TicketFunction"
    assert connect.authorizer.identity_query_strings == ("ticket",)
    assert connect.authorizer.payload_type == "REQUEST"
    assert [key for key, route in api.routes.items() if route.two_way] == ["$default", "echo"]


def test_the_projects_template_serves_its_websocket_api_at_the_local_stage() -> None:
    template = Template.load()
    template.refs = local_refs(template, "t", URL)

    apis = load_websocket_apis(template)

    assert list(apis) == ["WebSocketApi"]
    assert apis["WebSocketApi"].stage == "local"
    assert apis["WebSocketApi"].api_id == template.refs["WebSocketApi"]


def _with_resource(logical_id: str, change: Callable[[dict[str, Any]], None]) -> Template:
    template = Template.load(FIXTURE)
    template.refs = local_refs(template, "t", URL)
    change(template.raw["Resources"][logical_id]["Properties"])
    return template


def test_an_integration_that_is_not_a_lambda_proxy_is_refused() -> None:
    template = _with_resource("RoomIntegration", lambda props: props.update(IntegrationType="MOCK"))

    with pytest.raises(ValueError, match="AWS_PROXY"):
        load_websocket_apis(template)


def test_an_integration_uri_of_a_function_outside_the_template_is_refused() -> None:
    template = _with_resource(
        "RoomIntegration", lambda props: props.update(IntegrationUri="arn:aws:lambda:x:1:function:Elsewhere")
    )

    with pytest.raises(ValueError, match="does not invoke a function of the template"):
        load_websocket_apis(template)


def test_only_connect_may_have_an_authorizer() -> None:
    template = _with_resource(
        "EchoRoute",
        lambda props: props.update(AuthorizationType="CUSTOM", AuthorizerId={"Ref": "TicketAuthorizer"}),
    )

    with pytest.raises(ValueError, match=r"only \$connect"):
        load_websocket_apis(template)


def test_every_function_behind_the_websocket_api_may_be_invoked_by_api_gateway_in_the_cloud() -> None:
    template = Template.load()
    template.refs = local_refs(template, "t", URL)

    assert checks.websocket_invoke_permissions(template) == []


def test_the_permission_check_catches_a_function_api_gateway_may_not_invoke() -> None:
    fixture = Template.load(FIXTURE)
    assert checks.websocket_invoke_permissions(fixture) == []

    del fixture.raw["Resources"]["RoomPermission"]

    assert checks.websocket_invoke_permissions(fixture) == [
        "RoomFunction is invoked by the WebSocket API but API Gateway has no AWS::Lambda::Permission to"
    ]


# ---------------------------------------------------------------------- route selection
def test_the_action_selects_its_route_and_anything_else_goes_to_default() -> None:
    api = fixture_api()

    assert [
        route.key if route else None
        for route in (
            api.select('{"action": "echo"}'),
            api.select('{"action": "dance"}'),
            api.select('{"other": "echo"}'),
            api.select('["echo"]'),
            api.select("echo"),
            api.select(None),
            api.select('{"action": "$connect"}'),
            api.select('{"action": "$disconnect"}'),
        )
    ] == ["echo", "$default", "$default", "$default", "$default", "$default", "$default", "$default"]


def test_without_default_an_unmatched_message_has_no_route() -> None:
    api = WebSocketApi("A", "a", "local", routes={"echo": WebSocketRoute("echo", "Fn")})

    assert api.select('{"action": "echo"}') is not None
    assert api.select('{"action": "dance"}') is None


def test_selection_reads_nested_fields_and_scalars_as_api_gateway_does() -> None:
    assert selection_key("$request.body.a.b", '{"a": {"b": "x"}}') == "x"
    assert selection_key("$request.body.n", '{"n": 3}') == "3"
    assert selection_key("$request.body.flag", '{"flag": true}') == "true"
    assert selection_key("$request.body.obj", '{"obj": {}}') is None
    assert selection_key("$request.header.x", '{"x": "y"}') is None


# Parsed once: reading the template per example overran hypothesis' deadline on a busy machine.
_API = fixture_api()


@given(st.text(max_size=200))
def test_route_selection_never_fails_on_any_text(body: str) -> None:
    route = _API.select(body)

    assert route is not None


# ---------------------------------------------------------------------- events
def info(**overrides: Any) -> ConnectionInfo:
    values: dict[str, Any] = {
        "api": fixture_api(),
        "connection_id": "Ur5BhdTSBcwCIXg=",
        "headers": [("host", "127.0.0.1:3000"), ("user-agent", "Chrome"), ("sec-websocket-key", "k")],
        "query_string": "ticket=t1&room=a&room=b",
        "source_ip": "127.0.0.2",
        "authorizer": {"principalId": "u1", "user_id": "u1", "integrationLatency": 3},
    }
    return ConnectionInfo(**{**values, **overrides})


def _shape(value: Any) -> Any:
    """Keys all the way down (values ignored), to compare an event with a sample of the cloud's."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items() if key != "authorizer"}
    return None


def test_each_event_has_the_shape_of_the_clouds_sample() -> None:
    connection = info()
    request = authorization_request(info(authorizer=None), "req")
    built = {
        "connect": connect_event(connection, "req"),
        "message": message_event(connection, "$default", '{"action": "ping"}'),
        "disconnect": disconnect_event(connection, 1001, "Going away"),
        "authorizer": authorizer_event(fixture_api().routes["$connect"].authorizer, request),  # type: ignore[arg-type]
    }

    for name, event in built.items():
        sample = load_event(f"websocket/{name}.json")
        assert set(event) == set(sample), name
        assert set(_shape(event["requestContext"])) == set(_shape(sample["requestContext"])), name


def test_the_connect_event_carries_the_handshake_and_the_authorizer_context() -> None:
    event = connect_event(info(), "req")

    assert event["queryStringParameters"] == {"ticket": "t1", "room": "b"}
    assert event["multiValueQueryStringParameters"]["room"] == ["a", "b"]
    assert event["headers"]["Sec-Websocket-Key"] == "k"
    context = event["requestContext"]
    assert (context["routeKey"], context["eventType"], context["stage"]) == ("$connect", "CONNECT", "local")
    assert context["identity"] == {"userAgent": "Chrome", "sourceIp": "127.0.0.2"}
    assert context["domainName"] == "127.0.0.1:3000"
    assert context["authorizer"]["user_id"] == "u1"


def test_the_authorizer_is_asked_about_the_connect_route_of_the_stage() -> None:
    api = fixture_api()

    request = authorization_request(info(authorizer=None), "req")

    assert request.method_arn == f"arn:aws:execute-api:ap-south-1:000000000000:{api.api_id}/local/$connect"
    assert request.query["ticket"] == "t1"
    assert "authorizer" not in request.request_fields["requestContext"]


def test_a_binary_message_arrives_base64_encoded() -> None:
    event = message_event(info(), "$default", b"\x00\xff")

    assert event["isBase64Encoded"] is True
    assert event["body"] == "AP8="
    assert event["requestContext"]["messageId"]


# ---------------------------------------------------------------------- the gateway, with a stand-in runtime
class FakeRuntime:
    """Answers invocations with `answer(function, event)` and keeps every event."""

    def __init__(self, answer: Callable[[str, dict[str, Any]], Any]) -> None:
        self.answer = answer
        self.events: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        self.events.append((function, event))
        return self.answer(function, event)

    def invoke_timed(self, function: str, event: dict[str, Any]) -> Timed:
        return Timed(self.invoke(function, event), 1.0)


def client_for(
    api: WebSocketApi, answer: Callable[[str, dict[str, Any]], Any]
) -> tuple[TestClient, FakeRuntime]:
    runtime = FakeRuntime(answer)
    trigger = WebSocketTrigger(api, cast(Runtime, runtime))
    return TestClient(Starlette(routes=trigger.routes())), runtime


def test_with_no_route_for_a_message_the_client_gets_forbidden() -> None:
    api = WebSocketApi("A", "a", "local", routes={"echo": WebSocketRoute("echo", "Fn", two_way=True)})
    client, runtime = client_for(api, lambda fn, event: {"statusCode": 200, "body": event["body"]})

    with client.websocket_connect("/local") as socket:
        socket.send_text('{"action": "dance"}')
        answer = json.loads(socket.receive_text())

    assert answer["message"] == "Forbidden"
    assert set(answer) == {"message", "connectionId", "requestId"}
    assert runtime.events == []


def test_a_function_error_is_api_gateways_internal_server_error_and_the_connection_stays() -> None:
    def answer(function: str, event: dict[str, Any]) -> Any:
        if event["body"] == "boom":
            raise FunctionError("RuntimeError", "boom")
        return {"statusCode": 200, "body": "ok"}

    api = WebSocketApi("A", "a", "local", routes={"$default": WebSocketRoute("$default", "Fn", two_way=True)})
    client, _ = client_for(api, answer)

    with client.websocket_connect("/local") as socket:
        socket.send_text("boom")
        failed = json.loads(socket.receive_text())
        socket.send_text("fine")
        fine = socket.receive_text()

    assert failed["message"] == "Internal server error"
    assert fine == "ok"


def test_a_connect_function_answering_non_2xx_refuses_the_upgrade_with_its_status() -> None:
    api = WebSocketApi("A", "a", "local", routes={"$connect": WebSocketRoute("$connect", "Fn")})
    client, _ = client_for(api, lambda fn, event: {"statusCode": 400})

    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/local"):
        pass  # the TestClient says the handshake was refused


def test_the_connect_function_chooses_the_subprotocol() -> None:
    api = WebSocketApi("A", "a", "local", routes={"$connect": WebSocketRoute("$connect", "Fn")})
    client, _ = client_for(
        api, lambda fn, event: {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "rooms.v1"}}
    )

    with client.websocket_connect("/local", subprotocols=["rooms.v1", "other"]) as socket:
        assert socket.accepted_subprotocol == "rooms.v1"


def test_disconnect_runs_once_the_client_leaves() -> None:
    api = WebSocketApi("A", "a", "local", routes={"$disconnect": WebSocketRoute("$disconnect", "Fn")})
    client, runtime = client_for(api, lambda fn, event: {"statusCode": 200})

    with client.websocket_connect("/local") as socket:
        socket.close(1000, "bye")
        wait_until(lambda: runtime.events, what="$disconnect")  # the TestClient cancels the app on exit

    (disconnected,) = [event for _, event in runtime.events]
    assert disconnected["requestContext"]["eventType"] == "DISCONNECT"
    assert disconnected["requestContext"]["disconnectStatusCode"] == 1000
