"""The pollers' background loop: repeats a step, survives errors, stops at once and only once."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from infra.local.background import BackgroundLoop
from tests.support import wait_until


def test_the_step_repeats_after_the_pause_it_asks_for() -> None:
    calls: list[float] = []
    loop = BackgroundLoop("counting", lambda: calls.append(time.monotonic()) or 0.01)

    loop.start()
    try:
        wait_until(lambda: len(calls) >= 3, what="three steps")
    finally:
        loop.stop()

    assert not loop.running


def test_stop_wakes_a_long_pause_at_once() -> None:
    stepped = threading.Event()
    loop = BackgroundLoop("sleepy", lambda: stepped.set() or 60.0)
    loop.start()
    stepped.wait(5)

    started = time.monotonic()
    loop.stop()

    assert time.monotonic() - started < 1.0
    assert not loop.running


def test_a_failing_step_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []
    cleaned: list[BaseException] = []

    def step() -> float:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the table is gone")
        return 60.0

    loop = BackgroundLoop("flaky", step, error_delay_seconds=0.01, on_error=cleaned.append)
    with caplog.at_level(logging.ERROR, logger="infra.local.background"):
        loop.start()
        try:
            wait_until(lambda: len(attempts) >= 2, what="a second attempt")
        finally:
            loop.stop()

    assert isinstance(loop.last_error, RuntimeError)
    assert [str(e) for e in cleaned] == ["the table is gone"]
    assert "flaky failed" in caplog.text


def test_starting_twice_runs_one_thread() -> None:
    loop = BackgroundLoop("once", lambda: None)

    loop.start()
    loop.start()
    try:
        assert [t.name for t in threading.enumerate()].count("once") == 1
    finally:
        loop.stop()
        loop.stop()  # idempotent


def test_an_error_raised_while_stopping_ends_the_loop_quietly(caplog: pytest.LogCaptureFixture) -> None:
    inside = threading.Event()
    release = threading.Event()

    def step() -> float:
        inside.set()
        release.wait(5)
        raise RuntimeError("interrupted by the stop")

    loop = BackgroundLoop("stopping", step)
    loop.start()
    inside.wait(5)
    with caplog.at_level(logging.ERROR, logger="infra.local.background"):
        stopper = threading.Thread(target=loop.stop)
        stopper.start()
        wait_until(lambda: loop.stopping, what="the stop")
        release.set()
        stopper.join(5)

    assert loop.last_error is None
    assert "interrupted" not in caplog.text
