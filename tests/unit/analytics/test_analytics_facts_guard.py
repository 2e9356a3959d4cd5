"""An item whose image lacks what its facts need is left uncounted (and logged), never a failed record:
the record's notices and signals would go round the retries with it."""

from __future__ import annotations

import logging

import pytest

from peerlearn.analytics.facts import facts_of


def test_an_image_without_its_dates_gives_no_facts_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    user = {"entity": "USER", "pk": "USER#u1", "id": "u1", "email": "a@example.com"}  # no created_at

    with caplog.at_level(logging.ERROR, logger="peerlearn.analytics.facts"):
        assert facts_of(user) == []

    assert "facts could not be read" in caplog.text


def test_a_whole_user_image_gives_its_sign_up() -> None:
    user = {"entity": "USER", "pk": "USER#u1", "id": "u1", "created_at": "2026-11-30T20:00:00Z"}
    assert "signup#u1" in {fact.id for fact in facts_of(user)}
