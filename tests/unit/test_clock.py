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
