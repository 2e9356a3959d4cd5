"""The gateway as CloudFront: the origin header and viewer address it adds, the headers it answers with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from infra.local.edge import Edge, EdgeMiddleware, load_response_policies
from infra.local.environment import local_refs
from infra.local.gateway import DevResources, create_app
from infra.local.template import Template

SECRET = "origin-secret-for-the-edge-tests-0123456789"


class EchoTrigger:
    """A REST stand-in answering with the headers the function would get."""

    name = "echo"

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/echo", self.echo, methods=["GET"])]

    async def echo(self, request: Request) -> Response:
        return JSONResponse([[k.decode(), v.decode()] for k, v in request.scope["headers"]])

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...


def call(
    app: Any,
    path: str,
    headers: dict[str, str] | None = None,
    peer: tuple[str, int] = ("198.51.100.7", 50123),
) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as client:
            return await client.get(path, headers=headers)

    return anyio.run(send)


@pytest.fixture
def resources(tmp_path: Path) -> DevResources:
    return DevResources(
        web_dist=tmp_path / "dist",
        outbox_dir=tmp_path / "outbox",
        uploads_dir=tmp_path / "uploads",
        upload_secret="unused",
    )


def received(reply: httpx.Response, name: str) -> list[str]:
    return [value for key, value in reply.json() if key == name.lower()]


def test_the_function_gets_the_origin_secret_and_not_a_client_sent_one(resources: DevResources) -> None:
    app = create_app([EchoTrigger()], resources, Edge(origin_secret=SECRET))

    reply = call(app, "/api/echo", {"X-PeerLearn-Origin": "guessed"})

    assert received(reply, "X-PeerLearn-Origin") == [SECRET]


def test_the_viewer_address_is_the_socket_peer_and_a_client_sent_one_never_passes(
    resources: DevResources,
) -> None:
    app = create_app([EchoTrigger()], resources, Edge(origin_secret=SECRET))

    reply = call(
        app, "/api/echo", {"CloudFront-Viewer-Address": "203.0.113.66:1234"}, peer=("198.51.100.7", 50123)
    )

    assert received(reply, "CloudFront-Viewer-Address") == ["198.51.100.7:50123"]


# ---------------------------------------------------------------------- response headers
POLICY_TEMPLATE = """
Resources:
  WebSocketApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: { ProtocolType: WEBSOCKET }
  Headers:
    Type: AWS::CloudFront::ResponseHeadersPolicy
    Properties:
      ResponseHeadersPolicyConfig:
        Name: !Sub "${AWS::StackName}-headers"
        SecurityHeadersConfig:
          StrictTransportSecurity: { AccessControlMaxAgeSec: 600, IncludeSubdomains: true, Override: true }
          FrameOptions: { FrameOption: DENY, Override: true }
          ContentSecurityPolicy:
            Override: true
            ContentSecurityPolicy: !Sub >-
              default-src 'self'; connect-src 'self'
              wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com https://${Site.DomainName}
        CustomHeadersConfig:
          Items:
            - { Header: X-Kept, Value: from-policy, Override: false }
        RemoveHeadersConfig:
          Items:
            - Header: X-Powered-By
  Site:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        DefaultCacheBehavior: { TargetOriginId: site, ResponseHeadersPolicyId: !Ref Headers }
        CacheBehaviors:
          - { PathPattern: /api/*, TargetOriginId: api, ResponseHeadersPolicyId: !Ref Headers }
          - { PathPattern: /media/*, TargetOriginId: media }
"""


class OriginTrigger:
    """An origin that sets headers of its own, some of which the policy keeps or removes."""

    name = "origin"

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/echo", self.answer, methods=["GET"])]

    async def answer(self, request: Request) -> Response:
        return JSONResponse(
            {}, headers={"X-Frame-Options": "SAMEORIGIN", "X-Kept": "origin", "X-Powered-By": "x"}
        )

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...


def local_template(path: Path, text: str | None = None) -> Template:
    if text is not None:
        path.write_text(text)
        template = Template.load(path)
    else:
        template = Template.load()
    template.refs = local_refs(template, "peerlearn-local", "http://127.0.0.1:3000")
    return template


def with_site(resources: DevResources) -> DevResources:
    resources.web_dist.mkdir()
    (resources.web_dist / "index.html").write_text("<html>shell</html>")
    return resources


def test_responses_get_the_templates_security_headers_with_cloud_hosts_made_local(
    tmp_path: Path, resources: DevResources
) -> None:
    template = local_template(tmp_path / "template.yaml", POLICY_TEMPLATE)
    edge = Edge(SECRET, load_response_policies(template, "http://127.0.0.1:3000"))
    app = create_app([OriginTrigger()], with_site(resources), edge)

    for path in ("/", "/sessions/42", "/api/echo"):
        reply = call(app, path)
        assert reply.headers["strict-transport-security"] == "max-age=600; includeSubDomains"
        assert reply.headers["x-frame-options"] == "DENY"  # Override: the origin's value is replaced
        assert reply.headers["content-security-policy"] == (
            "default-src 'self'; connect-src 'self' ws://127.0.0.1:3000 http://127.0.0.1:3000"
        )
    api_reply = call(app, "/api/echo")
    assert api_reply.headers.get_list("x-kept") == ["origin"]  # no override: the origin's value stays
    assert "x-powered-by" not in api_reply.headers
    assert call(app, "/").headers["x-kept"] == "from-policy"


def test_a_behaviour_without_a_policy_and_the_dev_pages_get_no_headers(
    tmp_path: Path, resources: DevResources
) -> None:
    template = local_template(tmp_path / "template.yaml", POLICY_TEMPLATE)
    app = create_app([], resources, Edge(SECRET, load_response_policies(template, "http://127.0.0.1:3000")))

    assert "x-frame-options" not in call(app, "/media/missing.png").headers
    assert "x-frame-options" not in call(app, "/_dev/outbox").headers


def test_the_local_stack_sends_what_the_real_templates_policy_says(
    tmp_path: Path, resources: DevResources
) -> None:
    template = local_template(tmp_path)
    (_, policy), *_ = template.resources_of_type("AWS::CloudFront::ResponseHeadersPolicy")
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    app = create_app(
        [EchoTrigger()],
        with_site(resources),
        Edge(SECRET, load_response_policies(template, "http://127.0.0.1:3000")),
    )

    for path in ("/", "/api/echo"):
        headers = call(app, path).headers
        assert headers["x-frame-options"] == security["FrameOptions"]["FrameOption"]
        assert headers["referrer-policy"] == security["ReferrerPolicy"]["ReferrerPolicy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["strict-transport-security"].startswith(
            f"max-age={security['StrictTransportSecurity']['AccessControlMaxAgeSec']}"
        )
        csp = headers["content-security-policy"]
        assert "default-src" in csp
        assert "amazonaws.com" not in csp  # the cloud's API hosts are the local gateway here


def test_invoke_hands_a_rest_event_over_as_cloudfront_would_and_other_events_unchanged() -> None:
    from infra.local.edge import through_cloudfront

    rest = {"httpMethod": "GET", "headers": {"x-peerlearn-origin": "forged"}, "multiValueHeaders": None}
    stream = {"Records": []}

    sent = through_cloudfront(rest, "s" * 40)

    assert sent["headers"] == {"X-PeerLearn-Origin": "s" * 40}
    assert sent["multiValueHeaders"] == {"X-PeerLearn-Origin": ["s" * 40]}
    assert through_cloudfront(stream, "s" * 40) is stream


def test_websocket_handshakes_pass_untouched_as_api_gateway_is_not_behind_cloudfront() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "websocket", "path": "/local", "headers": [(b"x-peerlearn-origin", b"forged")]}
    anyio.run(EdgeMiddleware(app, Edge("secret")), scope, None, None)

    assert seen == [scope]  # no origin secret handed to a client-facing socket, nothing dropped
