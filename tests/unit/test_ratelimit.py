"""The sliding-window estimate: pure arithmetic, and the stored counters it reads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peerlearn import ratelimit
from peerlearn.context import Context

LIMIT = ratelimit.Limit("test", max_hits=5, window_seconds=900)
START = 1_800_000_000 - 1_800_000_000 % 900  # a window boundary


def test_failures_straddling_a_window_boundary_still_lock() -> None:
    hits = {START - 900: 3, START: 2}  # three just before the boundary, two just after
    assert ratelimit.estimate(LIMIT, hits, START + 2) == 5
    assert ratelimit.seconds_until(LIMIT, hits, START + 2) > 0


def test_old_failures_fade_out_as_their_window_slides_away() -> None:
    hits = {START - 900: 5}
    assert ratelimit.seconds_until(LIMIT, hits, START) == 180  # ceil(5 x overlap/900) < 5 once overlap <= 720
    assert ratelimit.seconds_until(LIMIT, hits, START + 200) == 0


def test_a_full_current_window_waits_until_enough_of_it_has_slid_past() -> None:
    hits = {START: 5}
    wait = ratelimit.seconds_until(LIMIT, hits, START + 100)
    assert 800 <= wait <= 900 + 180
    assert ratelimit.estimate(LIMIT, hits, START + 100 + wait) < 5


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 899))
def test_waiting_the_answer_always_allows_the_next_attempt(previous: int, current: int, elapsed: int) -> None:
    hits = {START - 900: previous, START: current}
    now = START + elapsed
    wait = ratelimit.seconds_until(LIMIT, hits, now)
    assert ratelimit.estimate(LIMIT, hits, now + wait) < LIMIT.max_hits
    assert (wait == 0) == (ratelimit.estimate(LIMIT, hits, now) < LIMIT.max_hits)


def test_stored_hits_across_a_boundary_count_together(ctx: Context) -> None:
    for at in (START - 10, START - 5, START - 1, START + 1, START + 2):
        assert ratelimit.acquire(LIMIT, "subject", now=at) == 0
    assert ratelimit.seconds_until_allowed(LIMIT, "subject", now=START + 3) > 0
    assert ratelimit.seconds_until_allowed(LIMIT, "other", now=START + 3) == 0


def test_acquire_counts_up_to_the_limit_then_refuses_without_counting(ctx: Context) -> None:
    waits = [ratelimit.acquire(LIMIT, "subject", now=START + 1) for _ in range(7)]
    assert waits[:5] == [0, 0, 0, 0, 0]
    assert waits[5] == waits[6] > 0  # refusals counted nothing: the wait did not grow
    assert ratelimit.estimate(LIMIT, {START: 5}, START + 1 + waits[5]) < LIMIT.max_hits


def test_acquire_leaves_only_the_room_the_previous_window_leaves(ctx: Context) -> None:
    for _ in range(4):
        assert ratelimit.acquire(LIMIT, "subject", now=START - 10) == 0
    # Just after the boundary the previous window's 4 still weigh 4: one more is allowed, not five.
    assert ratelimit.acquire(LIMIT, "subject", now=START + 1) == 0
    assert ratelimit.acquire(LIMIT, "subject", now=START + 1) > 0


def test_release_gives_back_an_acquired_hit(ctx: Context) -> None:
    for _ in range(5):
        assert ratelimit.acquire(LIMIT, "subject", now=START + 1) == 0
    ratelimit.release(LIMIT, "subject", acquired_at=START + 1)
    assert ratelimit.acquire(LIMIT, "subject", now=START + 2) == 0
