"""The local stack's WebSocket API end to end on a fixture template, with a real client: the `$connect`
authorizer, route selection, the `@connections` API through boto3, API Gateway's limits."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local.stack import LocalStack
from tests.support import stack_for, wait_until

pytestmark = pytest.mark.integration

TEMPLATE = Path(__file__).parent / "fixtures" / "websocket" / "template.yaml"
# API Gateway's 10 minutes and 2 hours, shortened for the stack that tests them.
IDLE_SECONDS = 1.5
LIFETIME_SECONDS = 4.0


def _stack(dynamodb_endpoint: str, data_dir: Path, **options: Any) -> LocalStack:
    return stack_for(
        dynamodb_endpoint,
        data_dir,
        "ws-test",
        template_path=TEMPLATE,
        overrides={"ROOM_LOG": str(data_dir / "room.jsonl")},
        **options,
    )


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with _stack(dynamodb_endpoint, tmp_path_factory.mktemp("ws")) as running:
        yield running


def ws_url(stack: LocalStack, ticket: str | None = "allow-asha", **query: str) -> str:
    params = {**({"ticket": ticket} if ticket is not None else {}), **query}
    return stack.env["WEBSOCKET_URL"] + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def events(stack: LocalStack) -> list[dict[str, Any]]:
    """The fixture function's log; a line it is appending at this moment (a `$disconnect` of an
    earlier test, say) is left for the next read."""
    log = Path(stack.env["ROOM_LOG"])
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().split("\n")[:-1]]  # whole lines end in \n


def events_of(stack: LocalStack, connection_id: str) -> list[dict[str, Any]]:
    return [e for e in events(stack) if e["connectionId"] == connection_id]


def management(stack: LocalStack, **config: Any) -> Any:
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=stack.env["WEBSOCKET_MANAGEMENT_URL"],
        region_name="ap-south-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(**config),
    )


def send(socket: ClientConnection, payload: dict[str, Any]) -> dict[str, Any]:
    """Sends one JSON message and returns the next JSON message the client gets."""
    socket.send(json.dumps(payload))
    answer: dict[str, Any] = json.loads(socket.recv(timeout=10))
    return answer


def connection_id_of(socket: ClientConnection) -> str:
    """The connection's id, as a two-way route tells it."""
    return str(send(socket, {"action": "echo"})["connectionId"])


def disconnect_of(stack: LocalStack, connection_id: str) -> dict[str, Any]:
    """The `$disconnect` event of a connection, once the gateway delivered it."""
    return wait_until(
        lambda: next((e for e in events_of(stack, connection_id) if e["routeKey"] == "$disconnect"), None),
        what=f"$disconnect of {connection_id}",
    )


# ---------------------------------------------------------------------- $connect
def test_connect_runs_the_authorizer_then_the_function_with_its_context(stack: LocalStack) -> None:
    with connect(ws_url(stack, "allow-asha", room="r1")) as socket:
        connection_id = connection_id_of(socket)

    connected = events_of(stack, connection_id)[0]
    assert connected["eventType"] == "CONNECT"
    assert connected["query"] == {"ticket": "allow-asha", "room": "r1"}
    authorizer = connected["authorizer"]
    assert {k: authorizer[k] for k in ("principalId", "user_id", "admitted", "seats")} == {
        "principalId": "asha",
        "user_id": "asha",
        "admitted": "true",
        "seats": "3",
    }


def invocations(stack: LocalStack, function: str) -> int:
    assert stack.runtime is not None
    return stack.runtime.invocations[function]


def test_without_a_ticket_the_upgrade_is_a_401_and_nothing_runs(stack: LocalStack) -> None:
    authorized = invocations(stack, "TicketFunction")

    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(stack, ticket=None))

    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body or b"") == {"message": "Unauthorized"}
    assert invocations(stack, "TicketFunction") == authorized
    assert not [
        e for e in events(stack) if e["eventType"] == "CONNECT" and "ticket" not in (e["query"] or {})
    ]


def test_an_unknown_ticket_is_a_401_and_a_denied_one_a_403(stack: LocalStack) -> None:
    with pytest.raises(InvalidStatus) as unknown:
        connect(ws_url(stack, "forged"))
    with pytest.raises(InvalidStatus) as denied:
        connect(ws_url(stack, "deny"))

    assert unknown.value.response.status_code == 401
    assert denied.value.response.status_code == 403


def test_a_connect_function_refusing_or_failing_refuses_the_upgrade(stack: LocalStack) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(stack, refuse="429"))
    with pytest.raises(InvalidStatus) as crashed:
        connect(ws_url(stack, crash="1"))

    assert refused.value.response.status_code == 429
    assert crashed.value.response.status_code == 500


# ---------------------------------------------------------------------- messages
def test_messages_go_to_the_route_their_action_names_else_to_default(stack: LocalStack) -> None:
    with connect(ws_url(stack)) as socket:
        echoed = send(socket, {"action": "echo", "n": 1})
        unknown_action = send(socket, {"action": "dance"})
        no_action = send(socket, {"n": 2})
        socket.send("not json")
        not_json = json.loads(socket.recv(timeout=10))

    assert echoed["route"] == "echo"
    assert json.loads(echoed["body"]) == {"action": "echo", "n": 1}
    assert [unknown_action["route"], no_action["route"], not_json["route"]] == ["$default"] * 3
    assert not_json["body"] == "not json"


def test_a_route_without_a_route_response_sends_nothing_back(stack: LocalStack) -> None:
    with connect(ws_url(stack)) as socket:
        socket.send(json.dumps({"action": "silent"}))
        after = send(socket, {"action": "echo", "after": "silent"})
        connection_id = after["connectionId"]

    assert json.loads(after["body"])["after"] == "silent"  # the first answer is echo's, not silent's
    assert "silent" in [e["routeKey"] for e in events_of(stack, connection_id)]


def test_a_failing_function_gets_the_client_api_gateways_internal_server_error(stack: LocalStack) -> None:
    with connect(ws_url(stack)) as socket:
        connection_id = connection_id_of(socket)
        answer = send(socket, {"action": "boom"})

    assert answer["message"] == "Internal server error"
    assert answer["connectionId"] == connection_id
    assert answer["requestId"]


def test_messages_of_one_connection_are_delivered_in_order(stack: LocalStack) -> None:
    with connect(ws_url(stack)) as socket:
        for n in range(10):
            socket.send(json.dumps({"action": "echo", "n": n}))
        answers = [json.loads(json.loads(socket.recv(timeout=10))["body"])["n"] for _ in range(10)]

    assert answers == list(range(10))


def test_a_slow_message_of_one_connection_does_not_hold_up_another(stack: LocalStack, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    with connect(ws_url(stack)) as slow, connect(ws_url(stack)) as quick:
        slow.send(json.dumps({"action": "echo", "gate": str(gate)}))  # its function waits for the gate

        quick_answer = send(quick, {"action": "echo", "n": 1})
        gate.touch()
        slow_answer = json.loads(slow.recv(timeout=10))

    assert json.loads(quick_answer["body"])["n"] == 1
    assert slow_answer["gate_opened"] is True  # still waiting when the quick one was answered


def test_every_message_event_carries_the_connections_authorizer_context(stack: LocalStack) -> None:
    with connect(ws_url(stack, "allow-ravi")) as socket:
        connection_id = connection_id_of(socket)
    stack.await_idle()

    echo = next(e for e in events_of(stack, connection_id) if e["routeKey"] == "echo")
    assert echo["eventType"] == "MESSAGE"
    assert echo["authorizer"]["user_id"] == "ravi"
    assert disconnect_of(stack, connection_id)["authorizer"]["user_id"] == "ravi"


# ---------------------------------------------------------------------- @connections
def test_a_function_posts_to_connections_and_learns_which_are_gone(stack: LocalStack) -> None:
    with connect(ws_url(stack, "allow-a")) as sender, connect(ws_url(stack, "allow-b")) as receiver:
        receiver_id = connection_id_of(receiver)
        with connect(ws_url(stack, "allow-c")) as leaver:
            gone_id = connection_id_of(leaver)
        disconnect_of(stack, gone_id)

        answer = send(sender, {"action": "post", "to": [receiver_id, gone_id], "data": "hello"})

        assert answer == {"gone": [gone_id]}
        assert receiver.recv(timeout=10) == "hello"
        assert send(receiver, {"action": "echo"})["connectionId"] == receiver_id  # still open


def test_boto3_sees_a_gone_connection_as_gone_exception(stack: LocalStack) -> None:
    client = management(stack)
    with connect(ws_url(stack)) as socket:
        connection_id = connection_id_of(socket)
    disconnect_of(stack, connection_id)

    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    with pytest.raises(client.exceptions.GoneException):
        client.get_connection(ConnectionId="never-was=")


def test_get_connection_describes_it_and_posting_counts_as_activity(stack: LocalStack) -> None:
    client = management(stack)
    with connect(ws_url(stack), user_agent_header="peerlearn-test") as socket:
        connection_id = connection_id_of(socket)
        before = client.get_connection(ConnectionId=connection_id)
        client.post_to_connection(ConnectionId=connection_id, Data=b"ping")
        after = client.get_connection(ConnectionId=connection_id)

    assert before["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "peerlearn-test"}
    assert before["ConnectedAt"] <= before["LastActiveAt"] <= after["LastActiveAt"]


def test_delete_connection_closes_only_that_connection_and_runs_disconnect(stack: LocalStack) -> None:
    client = management(stack)
    with connect(ws_url(stack)) as doomed, connect(ws_url(stack)) as bystander:
        doomed_id = connection_id_of(doomed)

        client.delete_connection(ConnectionId=doomed_id)

        with pytest.raises(ConnectionClosed):
            doomed.recv(timeout=10)
        assert disconnect_of(stack, doomed_id)["eventType"] == "DISCONNECT"
        assert send(bystander, {"action": "echo"})["route"] == "echo"
        with pytest.raises(client.exceptions.GoneException):
            client.delete_connection(ConnectionId=doomed_id)


def test_a_post_above_128_kb_is_payload_too_large(stack: LocalStack) -> None:
    client = management(stack)
    with connect(ws_url(stack)) as socket:
        connection_id = connection_id_of(socket)

        with pytest.raises(client.exceptions.PayloadTooLargeException):
            client.post_to_connection(ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))


@contextlib.contextmanager
def stalled_client(stack: LocalStack) -> Iterator[str]:
    """A client that connects, then never reads (a frozen tab): yields its connection id."""
    marker = uuid.uuid4().hex
    host, port = stack.url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    with raw:
        raw.sendall(
            f"GET /local?ticket=allow-frozen&room={marker} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        assert raw.recv(4096).startswith(b"HTTP/1.1 101")
        yield next(e["connectionId"] for e in events(stack) if (e["query"] or {}).get("room") == marker)


def post_until_refused(client: Any, connection_id: str) -> int:
    """Posts 100 KB messages until one is refused; how many went through."""
    for sent in range(1000):
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=b"x" * 100 * 1024)
        except client.exceptions.LimitExceededException:
            return sent
    raise AssertionError("1000 posts to a client that reads nothing all went through")


def test_posting_to_a_client_that_reads_nothing_is_refused_instead_of_hanging(stack: LocalStack) -> None:
    client = management(stack, retries={"total_max_attempts": 1})
    with stalled_client(stack) as frozen, connect(ws_url(stack)) as lively:
        sent = post_until_refused(client, frozen)

        client.post_to_connection(ConnectionId=connection_id_of(lively), Data=b"still here")

        assert lively.recv(timeout=10) == "still here"
    assert sent > 0  # its buffers took some first


# ---------------------------------------------------------------------- limits
def send_until_closed(socket: ClientConnection, message: str | list[str]) -> None:
    """Sends a message the gateway refuses, then waits for the close (which may interrupt the send)."""
    socket.send(message)
    socket.recv(timeout=10)


def test_a_frame_above_32_kb_closes_the_connection_with_1009(stack: LocalStack) -> None:
    with connect(ws_url(stack), max_size=None) as socket:
        connection_id = connection_id_of(socket)
        with pytest.raises(ConnectionClosed) as closed:
            send_until_closed(socket, json.dumps({"action": "echo", "pad": "x" * 33 * 1024}))

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, "Message too big")
    assert disconnect_of(stack, connection_id)["disconnectStatusCode"] == 1009


def test_no_compression_is_negotiated_so_frames_are_counted_as_sent(stack: LocalStack) -> None:
    with connect(ws_url(stack)) as socket:  # the client offers permessage-deflate
        assert socket.response is not None
        assert socket.response.headers.get("Sec-WebSocket-Extensions") is None


def test_a_100_kb_message_in_small_frames_passes_and_one_above_128_kb_closes(stack: LocalStack) -> None:
    padding = "x" * 100 * 1024
    message = json.dumps({"action": "echo", "pad": padding})
    with connect(ws_url(stack), max_size=None) as socket:
        socket.send([message[i : i + 16 * 1024] for i in range(0, len(message), 16 * 1024)])
        assert json.loads(json.loads(socket.recv(timeout=10))["body"])["pad"] == padding

        too_big = "y" * (128 * 1024 + 1)
        with pytest.raises(ConnectionClosed) as closed:
            send_until_closed(socket, [too_big[i : i + 16 * 1024] for i in range(0, len(too_big), 16 * 1024)])

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


def test_the_dev_echo_answers_without_any_function(stack: LocalStack) -> None:
    def calls() -> tuple[int, int]:  # a $disconnect of an earlier test may still arrive: not counted
        arrivals = [e for e in events(stack) if e["eventType"] != "DISCONNECT"]
        return invocations(stack, "TicketFunction"), len(arrivals)

    before = calls()
    with connect(stack.url.replace("http://", "ws://") + "/_dev/echo") as socket:
        socket.send("hello")
        assert socket.recv(timeout=10) == "hello"
        socket.send(json.dumps({"action": "echo"}))
        assert json.loads(socket.recv(timeout=10)) == {"action": "echo"}

    assert calls() == before


@pytest.fixture(scope="module")
def short_lived(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    data_dir = tmp_path_factory.mktemp("ws-short")
    with _stack(
        dynamodb_endpoint,
        data_dir,
        websocket_idle_seconds=IDLE_SECONDS,
        websocket_lifetime_seconds=LIFETIME_SECONDS,
    ) as running:
        running.warm()
        yield running


def test_an_idle_connection_is_closed_going_away_and_disconnected(short_lived: LocalStack) -> None:
    with connect(ws_url(short_lived)) as socket:
        connection_id = connection_id_of(socket)
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)  # nothing to receive: the idle timeout closes it

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    assert disconnect_of(short_lived, connection_id)["disconnectStatusCode"] == 1001


def _post_ticks_until_closed(client: Any, socket: ClientConnection, connection_id: str) -> ConnectionClosed:
    """Posts to the connection every ~0.3 s (never idle for the idle timeout) until it closes."""
    try:
        while True:
            with contextlib.suppress(client.exceptions.GoneException):
                client.post_to_connection(ConnectionId=connection_id, Data=b"tick")
            assert socket.recv(timeout=10) == "tick"
            with contextlib.suppress(TimeoutError):
                socket.recv(timeout=0.3)
    except ConnectionClosed as closed:
        return closed


def test_posts_keep_a_connection_active_until_its_lifetime_closes_it(short_lived: LocalStack) -> None:
    client = management(short_lived)
    with connect(ws_url(short_lived)) as socket:
        connection_id = connection_id_of(socket)
        opened = time.monotonic()
        closed = _post_ticks_until_closed(client, socket, connection_id)

    assert time.monotonic() - opened >= LIFETIME_SECONDS - 0.1
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert disconnect_of(short_lived, connection_id)["disconnectStatusCode"] == 1001


def test_stopping_the_stack_disconnects_every_connection(
    dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stack = _stack(dynamodb_endpoint, tmp_path_factory.mktemp("ws-stop")).start()
    try:
        with connect(ws_url(stack)) as socket:
            connection_id = connection_id_of(socket)

            stack.stop()

            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=10)
    finally:
        stack.stop()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    assert disconnect_of(stack, connection_id)["disconnectStatusCode"] == 1001
