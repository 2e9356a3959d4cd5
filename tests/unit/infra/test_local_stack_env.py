"""What the local stack gives the functions: every setting they need, local values, a kept secret."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

import pytest

from infra.local.environment import jwt_secret, local_environment, local_refs, local_secrets, read_env_file
from infra.local.stack import LocalStack
from infra.local.template import Template
from peerlearn.config import Settings


def test_the_local_environment_builds_the_functions_settings(tmp_path: Path) -> None:
    template = Template.load()
    template.refs = local_refs(template, "peerlearn-local", "http://127.0.0.1:3000")
    env = {
        **template.global_environment(),
        **local_environment(tmp_path, "http://127.0.0.1:3000", "peerlearn-local", "http://127.0.0.1:8000"),
    }

    settings = Settings.from_env(env)

    assert settings.stage == "local"
    assert settings.table_name == "peerlearn-local"
    assert settings.email_transport == "outbox"
    assert settings.outbox_dir == str(tmp_path / "outbox")
    assert settings.uploads_endpoint == "http://127.0.0.1:3000/_dev/uploads"
    assert settings.media_base_url == "http://127.0.0.1:3000/media"
    assert settings.dynamodb_endpoint == "http://127.0.0.1:8000"
    assert settings.cookie_secure is False
    assert env["POWERTOOLS_METRICS_DISABLED"] == "true"
    assert env["AWS_ACCESS_KEY_ID"] == "local"
    assert env["ORIGIN_SECRET"] == local_secrets(tmp_path)["ORIGIN_SECRET"]


def test_the_jwt_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = jwt_secret(tmp_path)

    assert len(first) == 48
    assert jwt_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / "secrets.env").stat().st_mode) == 0o600


def test_the_origin_secret_is_made_beside_a_kept_jwt_secret(tmp_path: Path) -> None:
    # Given a secrets file from before the origin secret existed
    (tmp_path / "secrets.env").write_text("JWT_SECRET=kept-from-an-earlier-run\n")

    made = local_secrets(tmp_path)

    assert made["JWT_SECRET"] == "kept-from-an-earlier-run"
    assert len(made["ORIGIN_SECRET"]) == 48
    assert local_secrets(tmp_path) == made
    assert read_env_file(tmp_path / "secrets.env") == made
    assert stat.S_IMODE((tmp_path / "secrets.env").stat().st_mode) == 0o600


def test_a_dotenv_file_is_read_with_comments_exports_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# secrets\n\nexport RAZORPAY_KEY_ID=rzp_test_1\nGROQ_API_KEY=\"gsk 1\"\nEMPTY=\nQ='a=b'\n"
    )

    assert read_env_file(path) == {
        "RAZORPAY_KEY_ID": "rzp_test_1",
        "GROQ_API_KEY": "gsk 1",
        "EMPTY": "",
        "Q": "a=b",
    }
    assert read_env_file(tmp_path / "missing") == {}


def test_a_malformed_dotenv_line_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("GOOD=1\nnot a setting\n")

    with pytest.raises(ValueError, match=r"\.env:2"):
        read_env_file(path)


class CountingRuntime:
    """Records the order of warm-ups and the most that ran at once."""

    def __init__(self, names: list[str]) -> None:
        self.functions = dict.fromkeys(names)
        self.started: list[str] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def warm(self, name: str) -> None:
        with self.lock:
            self.started.append(name)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1


def test_functions_are_warmed_in_template_order_a_few_at_a_time(tmp_path: Path) -> None:
    stack = LocalStack(data_dir=tmp_path)
    runtime = CountingRuntime([f"F{i}" for i in range(8)])
    stack.runtime = runtime  # type: ignore[assignment]

    for thread in stack.warm(concurrency=2):
        thread.join(5)

    assert runtime.most == 2
    assert sorted(runtime.started) == [f"F{i}" for i in range(8)]
    assert runtime.started[:2] == ["F0", "F1"] or runtime.started[:2] == ["F1", "F0"]


def test_functions_reach_the_local_websocket_api_and_get_a_kept_turn_secret(tmp_path: Path) -> None:
    env = local_environment(tmp_path, "http://127.0.0.1:3000", "peerlearn-local", "http://127.0.0.1:8000")

    assert env["WEBSOCKET_URL"] == "ws://127.0.0.1:3000/local"
    assert env["WEBSOCKET_MANAGEMENT_URL"] == "http://127.0.0.1:3000/local"
    assert env["TURN_URIS"] == ""  # no TURN server locally: host candidates suffice
    assert len(env["TURN_SECRET"]) == 48
    assert local_environment(tmp_path, "http://127.0.0.1:3000", "t", "e")["TURN_SECRET"] == env["TURN_SECRET"]


def test_make_dev_takes_shortened_websocket_limits_from_the_environment() -> None:
    from infra.local.__main__ import env_seconds

    assert env_seconds({}, "PEERLEARN_WS_IDLE_SECONDS", 600.0) == 600.0
    assert env_seconds({"PEERLEARN_WS_IDLE_SECONDS": ""}, "PEERLEARN_WS_IDLE_SECONDS", 600.0) == 600.0
    assert env_seconds({"PEERLEARN_WS_IDLE_SECONDS": "30"}, "PEERLEARN_WS_IDLE_SECONDS", 600.0) == 30.0
    with pytest.raises(ValueError, match="positive"):
        env_seconds({"PEERLEARN_WS_LIFETIME_SECONDS": "0"}, "PEERLEARN_WS_LIFETIME_SECONDS", 7200.0)


def test_the_local_stack_makes_one_vapid_key_pair_and_allows_its_push_stand_in(tmp_path: Path) -> None:
    from peerlearn.config import PushSettings

    env = local_environment(tmp_path, "http://127.0.0.1:3000", "peerlearn-local", "http://127.0.0.1:8000")
    again = local_environment(tmp_path, "http://127.0.0.1:3000", "t", "e")

    assert again["VAPID_PRIVATE_KEY"] == env["VAPID_PRIVATE_KEY"]  # kept: subscriptions survive a restart
    settings = PushSettings.from_env(
        {**env, "VAPID_SUBJECT": "mailto:push@peerlearn.example", "PUSH_SERVICE_HOSTS": "fcm.googleapis.com"}
    )
    assert settings.dev_origin == "http://127.0.0.1:3000"
    assert len(settings.public_key) == 87  # base64url of a 65-byte uncompressed P-256 point
