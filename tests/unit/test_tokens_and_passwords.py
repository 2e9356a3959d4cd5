"""Pure pieces: password hashing and rules, token encoding and parsing, ids and keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn import ids
from peerlearn.accounts import passwords, tokens
from peerlearn.errors import BadRequest, Unauthorized
from peerlearn.store import keys

SECRET = "s" * 40


def test_a_password_verifies_only_against_its_own_hash() -> None:
    encoded = passwords.hash_password("correct horse 9")
    assert passwords.verify_password("correct horse 9", encoded)
    assert not passwords.verify_password("correct horse 8", encoded)
    assert not passwords.verify_password("correct horse 9", "md5$abc")


def test_two_hashes_of_one_password_differ() -> None:
    assert passwords.hash_password("same-password-1") != passwords.hash_password("same-password-1")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short-1", "at least 10"),
        ("x" * 129 + "1", "at most 128"),
        ("1234567890123", "letter"),
        ("abcdefghijklmn", "digit or symbol"),
        ("asharao-rocks-1", "email"),
        ("password123", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_they_break(password: str, fragment: str) -> None:
    with pytest.raises(BadRequest) as caught:
        passwords.check_strength(password, email="asharao@example.com")
    assert fragment in caught.value.message
    assert (caught.value.code, caught.value.field) == ("weak_password", "password")


def test_access_tokens_round_trip_and_expire() -> None:
    sign_in = ids.new_id()
    token = tokens.issue_access_token(
        SECRET, user_id="U1", role="mentor", version=0, sign_in_id=sign_in, now=1_000
    )
    with pytest.raises(Unauthorized) as caught:
        tokens.read_access_token(SECRET, token)  # issued at t=1000: long expired
    assert caught.value.code == "token_expired"
    fresh = tokens.issue_access_token(SECRET, user_id="U1", role="mentor", version=3, sign_in_id=sign_in)
    claims = tokens.read_access_token(SECRET, fresh)
    assert (claims.role, claims.version, claims.sign_in_id) == ("mentor", 3, sign_in)
    with pytest.raises(Unauthorized):
        tokens.read_access_token("other-secret-" * 4, fresh)


def test_link_tokens_are_bound_to_their_purpose_and_are_not_access_tokens() -> None:
    token, link = tokens.issue_link_token(SECRET, "verify-email", "U1")
    assert tokens.read_link_token(SECRET, "verify-email", token) == link
    with pytest.raises(BadRequest):
        tokens.read_link_token(SECRET, "password-reset", token)
    with pytest.raises(Unauthorized):
        tokens.read_access_token(SECRET, token)


@given(st.text(max_size=200))
@settings(max_examples=200)
def test_refresh_token_parsing_never_crashes_on_garbage(text: str) -> None:
    try:
        parsed = tokens.parse_refresh_token(text)
    except Unauthorized:
        return
    assert parsed.value == text


def test_a_minted_refresh_token_parses_back() -> None:
    minted = tokens.new_refresh_token(ids.new_id(), ids.new_id())
    assert tokens.parse_refresh_token(minted.value) == minted


@given(st.integers(min_value=0, max_value=2**48 - 1), st.integers(min_value=0, max_value=2**48 - 1))
def test_ids_sort_by_time(a: int, b: int) -> None:
    first, second = ids.new_id(now_ms=min(a, b)), ids.new_id(now_ms=max(a, b))
    assert ids.is_id(first)
    assert ids.is_id(second)
    if a != b:
        assert first < second


@given(st.text(min_size=1, max_size=40))
def test_user_keys_round_trip_even_when_the_id_starts_with_prefix_letters(user_id: str) -> None:
    assert keys.user_id_from_pk(keys.user_pk(user_id)) == user_id
