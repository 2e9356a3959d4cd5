"""API Gateway REST emulation: routing, events, policies, responses, read from template.yaml."""

from __future__ import annotations

import base64
import json

import anyio
import pytest

from infra.local.authorizers import Authorizer, authorizer_event
from infra.local.runtime import Timed
from infra.local.template import Template
from infra.local.triggers.rest import RestTrigger
from infra.local.triggers.rest.api import Endpoint, GatewayResponse, RestApi, load_apis
from infra.local.triggers.rest.proxy import (
    HttpRequest,
    MalformedResponse,
    authorization_request,
    map_response,
    method_arn,
    proxy_event,
)

JWT = Authorizer("Jwt", "AuthorizerFunction", "REQUEST", ("Authorization",))
ARN = "arn:aws:execute-api:ap-south-1:000000000000:abc1234567/local/GET/api/users/42"


def api(*endpoints: tuple[str, str]) -> RestApi:
    built = [Endpoint.build("Fn", f"E{i}", method, path, None) for i, (method, path) in enumerate(endpoints)]
    return RestApi("RestApi", "abc1234567", "local", built)


# ---------------------------------------------------------------------- routing
def test_a_path_parameter_is_captured() -> None:
    matched = api(("GET", "/api/users/{id}")).match("GET", "/api/users/42")

    assert matched is not None
    assert matched[1] == {"id": "42"}


def test_one_trailing_slash_is_ignored_but_not_two() -> None:
    routes = api(("GET", "/api/me"))

    assert routes.match("GET", "/api/me/") is not None
    assert routes.match("GET", "/api/me//") is None


def test_a_parameter_does_not_span_segments() -> None:
    assert api(("GET", "/api/users/{id}")).match("GET", "/api/users/42/ban") is None


def test_a_greedy_parameter_takes_the_rest_of_the_path() -> None:
    matched = api(("ANY", "/files/{proxy+}")).match("PUT", "/files/a/b/c.txt")

    assert matched is not None
    assert matched[1] == {"proxy": "a/b/c.txt"}


def test_a_newline_in_a_path_is_still_part_of_its_parameter() -> None:
    # A decoded %0A: API Gateway passes it through, so the function (not a 404) answers.
    greedy = api(("ANY", "/files/{proxy+}")).match("GET", "/files/a\nb")
    single = api(("GET", "/api/users/{id}")).match("GET", "/api/users/4\n2")

    assert greedy is not None
    assert greedy[1] == {"proxy": "a\nb"}
    assert single is not None
    assert single[1] == {"id": "4\n2"}


def test_literal_segments_win_over_parameters_and_exact_methods_over_any() -> None:
    routes = api(("GET", "/api/users/{id}"), ("GET", "/api/users/me"), ("ANY", "/api/users/me"))

    matched = routes.match("GET", "/api/users/me")

    assert matched is not None
    assert (matched[0].method, matched[0].resource) == ("GET", "/api/users/me")


def test_the_method_must_match() -> None:
    assert api(("POST", "/api/auth/login")).match("GET", "/api/auth/login") is None


def test_parameter_names_with_dashes_survive() -> None:
    matched = api(("GET", "/api/{user-id}")).match("GET", "/api/7")

    assert matched is not None
    assert matched[1] == {"user-id": "7"}


# ---------------------------------------------------------------------- events
def request(**overrides: object) -> HttpRequest:
    values: dict[str, object] = {
        "method": "GET",
        "path": "/api/users/42",
        "headers": [
            ("host", "127.0.0.1:3000"),
            ("user-agent", "pytest"),
            ("x-tag", "a"),
            ("x-tag", "b"),
            ("cloudfront-viewer-address", "10.0.0.9:4242"),
        ],
        "query_string": "q=1&q=2&empty=",
        "source_ip": "10.0.0.9",
        "request_id": "req-1",
        "received_at": 1_795_000_000.5,
    }
    values.update(overrides)
    return HttpRequest(**values)  # type: ignore[arg-type]


def test_the_proxy_event_has_api_gateways_v1_shape() -> None:
    routes = api(("GET", "/api/users/{id}"))
    endpoint, params = routes.match("GET", "/api/users/42") or pytest.fail("no match")

    event = proxy_event(routes, endpoint, params, request())

    assert event["resource"] == "/api/users/{id}"
    assert event["path"] == "/api/users/42"
    assert event["pathParameters"] == {"id": "42"}
    assert event["headers"]["X-Tag"] == "b"
    assert event["headers"]["CloudFront-Viewer-Address"] == "10.0.0.9:4242"  # as CloudFront spells it
    assert event["multiValueHeaders"]["X-Tag"] == ["a", "b"]
    assert event["queryStringParameters"] == {"q": "2", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "empty": [""]}
    assert event["stageVariables"] is None
    assert event["body"] is None
    context = event["requestContext"]
    assert context["resourcePath"] == "/api/users/{id}"
    assert context["path"] == "/local/api/users/42"
    assert context["requestTimeEpoch"] == 1_795_000_000_500
    assert context["identity"]["sourceIp"] == "10.0.0.9"
    assert context["identity"]["userAgent"] == "pytest"
    assert "authorizer" not in context


def test_no_query_and_no_parameters_are_nulls_as_in_api_gateway() -> None:
    routes = api(("POST", "/api/open"))
    endpoint, params = routes.match("POST", "/api/open") or pytest.fail("no match")

    event = proxy_event(routes, endpoint, params, request(method="POST", path="/api/open", query_string=""))

    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None


def test_a_json_body_is_text_and_a_binary_body_is_base64() -> None:
    routes = api(("POST", "/api/open"))
    endpoint, params = routes.match("POST", "/api/open") or pytest.fail("no match")
    json_headers = [("content-type", "application/json")]
    png_headers = [("content-type", "image/png")]

    as_text = proxy_event(routes, endpoint, params, request(headers=json_headers, body=b'{"a": "\xc3\xa9"}'))
    as_binary = proxy_event(routes, endpoint, params, request(headers=png_headers, body=b"\x89PNG"))

    assert (as_text["body"], as_text["isBase64Encoded"]) == ('{"a": "é"}', False)
    assert (as_binary["body"], as_binary["isBase64Encoded"]) == (base64.b64encode(b"\x89PNG").decode(), True)


def test_the_request_authorizer_event_carries_the_method_arn_and_the_request() -> None:
    routes = api(("GET", "/api/users/{id}"))
    endpoint, params = routes.match("GET", "/api/users/42") or pytest.fail("no match")
    proxy = proxy_event(routes, endpoint, params, request())

    event = authorizer_event(JWT, authorization_request(routes, proxy))

    assert event["type"] == "REQUEST"
    assert event["methodArn"] == ARN
    assert event["resource"] == "/api/users/{id}"
    assert event["headers"] == proxy["headers"]
    assert event["pathParameters"] == {"id": "42"}
    assert event["requestContext"]["requestId"] == "req-1"


def test_a_token_authorizer_gets_the_token_and_the_method_arn() -> None:
    routes = api(("GET", "/api/users/{id}"))
    endpoint, params = routes.match("GET", "/api/users/42") or pytest.fail("no match")
    token = Authorizer("Token", "AuthorizerFunction", "TOKEN", ("Authorization",))
    proxy = proxy_event(routes, endpoint, params, request(headers=[("authorization", "Bearer x")]))

    assert authorizer_event(token, authorization_request(routes, proxy)) == {
        "type": "TOKEN",
        "authorizationToken": "Bearer x",
        "methodArn": ARN,
    }


def test_the_method_arn_names_the_stage_method_and_path() -> None:
    assert method_arn(api(), "GET", "/api/users/42") == ARN


# ---------------------------------------------------------------------- responses
def test_headers_and_multi_value_headers_merge_and_cookies_stay_separate() -> None:
    response = map_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "Set-Cookie": "a=1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
        }
    )

    assert response.status == 201
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert response.body == b'{"ok": true}'


def test_a_base64_body_is_decoded_and_json_is_the_default_content_type() -> None:
    response = map_response(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )

    assert response.body == b"\x00\x01"
    assert ("Content-Type", "application/json") in response.headers


@pytest.mark.parametrize(
    "result",
    [None, "ok", {"body": "x"}, {"statusCode": "OK"}, {"statusCode": 200, "cookies": []}],
)
def test_a_malformed_proxy_response_is_refused(result: object) -> None:
    with pytest.raises(MalformedResponse):
        map_response(result)


def test_gateway_responses_fill_the_message_into_the_template() -> None:
    routes = api()
    routes.gateway_responses["DEFAULT_4XX"] = GatewayResponse(
        400, '{"message": $context.error.messageString}'
    )

    answer = routes.gateway_response("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", "r1")

    assert answer.status == 403  # the type's own status: DEFAULT_4XX only gives the body
    assert json.loads(answer.body) == {"message": "Missing Authentication Token"}


# ---------------------------------------------------------------------- the template
def test_the_template_api_has_its_authorizer_cors_and_gateway_responses() -> None:
    rest_api = load_apis(Template.load())["RestApi"]
    by_path = {(e.method, e.resource): e for e in rest_api.endpoints}

    assert by_path[("POST", "/api/auth/login")].authorizer is None
    me = by_path[("GET", "/api/me")].authorizer
    assert me is not None
    assert (me.function, me.payload_type, me.identity_headers) == (
        "AuthorizerFunction",
        "REQUEST",
        ("Authorization",),
    )
    assert me.reauthorize_every_seconds == 0  # no cache: revocation is exact
    assert rest_api.cors is not None
    assert rest_api.cors.allow_headers == "Authorization,Content-Type,X-Correlation-Id"
    unauthorized = rest_api.gateway_response("UNAUTHORIZED", "Unauthorized", "r1")
    assert unauthorized.status == 401
    assert json.loads(unauthorized.body)["error"]["code"] == "unauthorized"


# ---------------------------------------------------------------------- Server-Timing
def policy(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


class TimedRuntime:
    """Answers like the runtime, with fixed durations: the authorizer allows everything."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def invoke_timed(self, function: str, event: dict[str, object]) -> Timed:
        self.calls.append(function)
        if function == "AuthorizerFunction":
            allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}
            return Timed({"principalId": "u1", "policyDocument": policy(allow)}, 4.26)
        return Timed({"statusCode": 200, "body": "{}"}, 12.5)


def serve(routes: RestApi, http: HttpRequest) -> dict[str, str]:
    trigger = RestTrigger({"RestApi": routes}, TimedRuntime())  # type: ignore[arg-type]
    answer = anyio.run(trigger.serve, routes, http)
    return dict(answer.headers)


def test_the_function_duration_is_in_server_timing() -> None:
    headers = serve(api(("GET", "/api/users/{id}")), request())

    assert headers["Server-Timing"] == "fn;dur=12.5"


def test_the_authorizer_duration_follows_the_functions_when_one_ran() -> None:
    guarded = RestApi(
        "RestApi", "abc1234567", "local", [Endpoint.build("Fn", "E", "GET", "/api/users/{id}", JWT)]
    )

    headers = serve(guarded, request(headers=[("authorization", "Bearer x")]))

    assert headers["Server-Timing"] == "fn;dur=12.5, auth;dur=4.3"


def test_a_request_refused_by_the_authorizer_still_reports_its_duration() -> None:
    deny = {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}
    guarded = RestApi(
        "RestApi", "abc1234567", "local", [Endpoint.build("Fn", "E", "GET", "/api/users/{id}", JWT)]
    )
    runtime = TimedRuntime()
    runtime.invoke_timed = lambda function, event: Timed(
        {"principalId": "u", "policyDocument": policy(deny)}, 3.0
    )  # type: ignore[method-assign]
    trigger = RestTrigger({"RestApi": guarded}, runtime)  # type: ignore[arg-type]

    answer = anyio.run(trigger.serve, guarded, request(headers=[("authorization", "Bearer x")]))

    assert answer.status == 403
    assert dict(answer.headers)["Server-Timing"] == "auth;dur=3.0"
