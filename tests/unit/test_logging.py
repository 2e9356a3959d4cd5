"""Logs are structured JSON with a correlation id, and never carry passwords, tokens or whole events."""

from __future__ import annotations

import io
import json
from typing import Any

from tests.support import call, load_function, rest_event

PASSWORD = "mango-monsoon-42"


def test_a_sign_in_logs_json_with_the_request_id_and_no_secrets(ctx: Any) -> None:
    auth = load_function("auth")
    written = io.StringIO()
    auth.logger.registered_handler.setStream(written)  # domain modules log through this handler too

    body = {"name": "Asha Rao", "email": "asha@example.com", "password": PASSWORD, "role": "learner"}
    call(auth, rest_event("POST", "/api/auth/register", body))
    login = call(
        auth, rest_event("POST", "/api/auth/login", {"email": "asha@example.com", "password": PASSWORD})
    )
    cookies = [c.split(";", 1)[0] for c in login.cookies]
    refresh_token = next(c for c in cookies if c.startswith("pl_refresh=")).removeprefix("pl_refresh=")
    refreshed = call(
        auth, rest_event("POST", "/api/auth/refresh", {}, headers={"Cookie": f"pl_refresh={refresh_token}"})
    )
    assert refreshed.status == 200

    lines = [line for line in written.getvalue().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]

    assert any(r["message"] == "signed in" for r in records)
    assert all(r.get("correlation_id") == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" for r in records)
    everything = "\n".join(lines)
    for secret in (
        PASSWORD,
        login.body["access_token"],
        refresh_token,
        *refreshed.cookies,
    ):
        assert secret not in everything
    assert "httpMethod" not in everything  # no whole event
