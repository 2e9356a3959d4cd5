"""peerlearn.clock.shifted: a block runs as if at another time, and the time comes back after it."""

from __future__ import annotations

import pytest

from peerlearn import clock, timeutil


def test_a_shifted_block_sees_the_shifted_time_and_the_real_time_returns_after_it() -> None:
    before = clock.now_seconds()
    with clock.shifted(-3 * 86400):
        inside = clock.now_seconds()
        with clock.shifted(3600):
            nested = clock.now_seconds()
        inside_iso = timeutil.now_iso()
    after = clock.now_seconds()

    assert 3 * 86400 - 5 <= before - inside <= 3 * 86400 + 5
    assert 3600 - 5 <= nested - inside <= 3600 + 5
    assert timeutil.epoch(inside_iso) < before - 86400
    assert 0 <= after - before <= 5


def test_the_time_returns_even_when_the_block_raises() -> None:
    before = clock.now_seconds()
    with pytest.raises(RuntimeError), clock.shifted(86400):
        raise RuntimeError("seed failed")
    assert clock.now_seconds() - before <= 5


def test_the_stack_offset_is_read_on_every_call_and_absent_means_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(clock.OFFSET_VARIABLE, raising=False)
    before = clock.now_seconds()
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "86400")
    moved = clock.now_seconds()
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "0")
    back = clock.now_seconds()

    assert 86400 - 5 <= moved - before <= 86400 + 5
    assert 0 <= back - before <= 5


def test_tokens_issued_under_a_moved_clock_are_accepted_and_expire_by_that_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from peerlearn.accounts import tokens
    from peerlearn.errors import Unauthorized

    monkeypatch.setenv(clock.OFFSET_VARIABLE, str(3 * 86400))  # pyjwt would call this iat "in the future"
    token = tokens.issue_access_token("s" * 32, user_id="u1", role="learner", version=0, sign_in_id=ids_new())
    assert tokens.read_access_token("s" * 32, token).user_id == "u1"

    monkeypatch.setenv(clock.OFFSET_VARIABLE, str(3 * 86400 + tokens.ACCESS_TTL_SECONDS + 1))
    with pytest.raises(Unauthorized) as caught:
        tokens.read_access_token("s" * 32, token)
    assert caught.value.code == "token_expired"
    assert tokens.read_access_token("s" * 32, token, verify_expiry=False).user_id == "u1"


def test_link_tokens_follow_the_moved_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from peerlearn.accounts import tokens
    from peerlearn.errors import BadRequest

    monkeypatch.setenv(clock.OFFSET_VARIABLE, str(86400))
    token, _ = tokens.issue_link_token("s" * 32, "password-reset", "u1")
    assert tokens.read_link_token("s" * 32, "password-reset", token).user_id == "u1"
    monkeypatch.setenv(clock.OFFSET_VARIABLE, str(86400 + 3600 + 5))
    with pytest.raises(BadRequest) as caught:
        tokens.read_link_token("s" * 32, "password-reset", token)
    assert caught.value.code == "token_expired"


def ids_new() -> str:
    from peerlearn import ids

    return ids.new_id()
