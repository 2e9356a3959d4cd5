"""What CloudFront does in front of the API and the site, played by the local gateway.

Every request gets the secret origin header (`X-PeerLearn-Origin`, which the REST functions require)
and `CloudFront-Viewer-Address: <ip>:<port>` of the real socket peer; copies a client sent are
dropped first, as CloudFront overwrites them. Every response gets the headers of the
`AWS::CloudFront::ResponseHeadersPolicy` the template's distribution attaches to its path (read from
template.yaml, so local and cloud cannot drift; cloud hosts become the local origin), except the
local-only `/_dev` pages. A policy's CorsConfig and ServerTimingHeadersConfig are not applied.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.local.template import Template

log = logging.getLogger(__name__)

ORIGIN_HEADER = "X-PeerLearn-Origin"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
_EXECUTE_API_URL = re.compile(r"\b(wss|https)://[\w-]+\.execute-api\.[\w-]+\.amazonaws\.com(/[^\s;,'\"]*)?")

RawHeaders = list[tuple[bytes, bytes]]


# ---------------------------------------------------------------------- response headers policies
@dataclass(frozen=True)
class HeadersPolicy:
    """Headers to set (name, value, override) and to remove, as one ResponseHeadersPolicy says."""

    name: str
    headers: tuple[tuple[str, str, bool], ...] = ()
    remove: tuple[str, ...] = ()

    def apply(self, headers: RawHeaders) -> RawHeaders:
        """The response headers after CloudFront applied this policy to them."""
        gone = {name.lower() for name in self.remove}
        for name, _, override in self.headers:
            if override:
                gone.add(name.lower())
        kept = [(k, v) for k, v in headers if k.decode("latin-1").lower() not in gone]
        present = {k.decode("latin-1").lower() for k, _ in kept}
        for name, value, override in self.headers:
            if override or name.lower() not in present:
                kept.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        return kept


@dataclass(frozen=True)
class PathPolicy:
    """One cache behaviour: requests whose path matches `pattern` get `policy` (None: no headers)."""

    pattern: str  # CloudFront's path pattern: `*` any characters, `?` one; "*" for the default
    policy: HeadersPolicy | None

    def matches(self, path: str) -> bool:
        pattern = self.pattern if self.pattern.startswith(("/", "*")) else f"/{self.pattern}"
        return fnmatch.fnmatchcase(path, pattern)


def policy_for(policies: Sequence[PathPolicy], path: str) -> HeadersPolicy | None:
    """The policy of the first behaviour matching `path`, as CloudFront picks them (default last)."""
    for candidate in policies:
        if candidate.matches(path):
            return candidate.policy
    return None


def load_response_policies(template: Template, local_url: str) -> list[PathPolicy]:
    """The distribution's behaviours, in CloudFront's order, with their headers policies resolved.

    References resolve with the template's local refs; then an execute-api URL (the WebSocket or
    REST API) becomes the local gateway (`ws://` or `http://`), as does an https URL of the local host.
    """
    policies = {
        logical_id: _headers_policy(logical_id, template.resolve(resource.get("Properties", {})), local_url)
        for logical_id, resource in template.resources_of_type("AWS::CloudFront::ResponseHeadersPolicy")
    }
    behaviours: list[PathPolicy] = []
    for logical_id, resource in template.resources_of_type("AWS::CloudFront::Distribution"):
        config = (resource.get("Properties") or {}).get("DistributionConfig") or {}
        for behaviour in [*(config.get("CacheBehaviors") or []), config.get("DefaultCacheBehavior") or {}]:
            pattern = str(behaviour.get("PathPattern", "*"))
            reference = behaviour.get("ResponseHeadersPolicyId")
            policy = None
            if isinstance(reference, Mapping) and reference.get("Ref") in policies:
                policy = policies[reference["Ref"]]
            elif reference is not None:
                log.warning(
                    "%s %s: only a !Ref to a policy of the template is applied locally", logical_id, pattern
                )
            behaviours.append(PathPolicy(pattern, policy))
        break  # one distribution serves the site and the API
    return behaviours


def _headers_policy(logical_id: str, props: Mapping[str, Any], local_url: str) -> HeadersPolicy:
    config = props.get("ResponseHeadersPolicyConfig") or {}
    security = config.get("SecurityHeadersConfig") or {}
    headers: list[tuple[str, str, bool]] = []

    def add(name: str, value: str, spec: Mapping[str, Any]) -> None:
        headers.append((name, localize(value, local_url), _flag(spec.get("Override"))))

    if "StrictTransportSecurity" in security:  # browsers ignore it over http: harmless locally
        spec = security["StrictTransportSecurity"]
        value = f"max-age={int(spec['AccessControlMaxAgeSec'])}"
        value += "; includeSubDomains" if _flag(spec.get("IncludeSubdomains")) else ""
        value += "; preload" if _flag(spec.get("Preload")) else ""
        add("Strict-Transport-Security", value, spec)
    if "ContentTypeOptions" in security:
        add("X-Content-Type-Options", "nosniff", security["ContentTypeOptions"])
    if "FrameOptions" in security:
        add("X-Frame-Options", str(security["FrameOptions"]["FrameOption"]), security["FrameOptions"])
    if "ReferrerPolicy" in security:
        add("Referrer-Policy", str(security["ReferrerPolicy"]["ReferrerPolicy"]), security["ReferrerPolicy"])
    if "ContentSecurityPolicy" in security:
        spec = security["ContentSecurityPolicy"]
        add("Content-Security-Policy", str(spec["ContentSecurityPolicy"]), spec)
    if "XSSProtection" in security:
        spec = security["XSSProtection"]
        value = "1" if _flag(spec.get("Protection")) else "0"
        value += "; mode=block" if _flag(spec.get("ModeBlock")) else ""
        value += f"; report={spec['ReportUri']}" if spec.get("ReportUri") else ""
        add("X-XSS-Protection", value, spec)
    for item in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        add(str(item["Header"]), str(item["Value"]), item)
    remove = tuple(
        str(item["Header"]) for item in (config.get("RemoveHeadersConfig") or {}).get("Items") or []
    )
    return HeadersPolicy(logical_id, tuple(headers), remove)


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def localize(value: str, local_url: str) -> str:
    """Cloud URLs in a header value, pointed at the local gateway."""
    local = urlsplit(local_url)
    value = _EXECUTE_API_URL.sub(
        lambda m: f"{'ws' if m.group(1) == 'wss' else 'http'}://{local.netloc}", value
    )
    return value.replace(f"https://{local.netloc}", f"http://{local.netloc}").replace(
        f"wss://{local.netloc}", f"ws://{local.netloc}"
    )


def through_cloudfront(event: dict[str, Any], origin_secret: str) -> dict[str, Any]:
    """A REST proxy event as it arrives through CloudFront (with the origin header), for
    `invoke` of one function: the functions refuse anything else. Other events pass unchanged."""
    if "httpMethod" not in event:
        return event
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != ORIGIN_HEADER.lower()}
    multi = {
        k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != ORIGIN_HEADER.lower()
    }
    return {
        **event,
        "headers": {**headers, ORIGIN_HEADER: origin_secret},
        "multiValueHeaders": {**multi, ORIGIN_HEADER: [origin_secret]},
    }


# ---------------------------------------------------------------------- the middleware
@dataclass(frozen=True)
class Edge:
    origin_secret: str
    response_policies: Sequence[PathPolicy] = ()


class EdgeMiddleware:
    """ASGI middleware: CloudFront's origin request headers in, its response headers policy out."""

    def __init__(self, app: ASGIApp, edge: Edge) -> None:
        self.app = app
        self.edge = edge
        self._replaced = {ORIGIN_HEADER.lower().encode(), VIEWER_ADDRESS_HEADER.lower().encode()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer_host, peer_port = scope.get("client") or ("127.0.0.1", 0)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in self._replaced]
        headers.append((ORIGIN_HEADER.lower().encode(), self.edge.origin_secret.encode("latin-1")))
        headers.append((VIEWER_ADDRESS_HEADER.lower().encode(), f"{peer_host}:{peer_port}".encode("latin-1")))
        scope = {**scope, "headers": headers}

        path: str = scope["path"]
        local_only = path == "/_dev" or path.startswith("/_dev/")  # no cloud policy describes them
        policy = None if local_only else policy_for(self.edge.response_policies, path)
        if policy is None:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": policy.apply(list(message.get("headers", [])))}
            await send(message)

        await self.app(scope, receive, send_with_policy)
