"""The background loop of the local stack's pollers (streams, schedules, the idle-environment reaper).

`BackgroundLoop(name, step)` calls `step()` on a daemon thread until stopped; the step returns how
long to wait before the next call (None: until stopped). A step that raises is logged and called
again after `error_delay_seconds`; an error raised while stopping ends the loop quietly. `start()`
and `stop()` are idempotent, and `stop()` wakes a waiting loop at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class BackgroundLoop:
    def __init__(
        self,
        name: str,
        step: Callable[[], float | None],
        *,
        error_delay_seconds: float = 1.0,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.name = name
        self.step = step
        self.error_delay_seconds = error_delay_seconds
        self.on_error = on_error
        self.last_error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            if self._thread is not threading.current_thread():
                self._thread.join(timeout)
            self._thread = None

    def wait(self, seconds: float | None) -> bool:
        """Sleeps `seconds` (None: until stopped) or until stopped; True when the loop is stopping."""
        return self._stop.wait(seconds)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pause = self.step()
            except Exception as exc:
                if self._stop.is_set():
                    return
                self.last_error = exc
                log.exception("%s failed; trying again in %s s", self.name, self.error_delay_seconds)
                if self.on_error is not None:
                    self.on_error(exc)
                pause = self.error_delay_seconds
            if pause is None or pause > 0:
                self._stop.wait(pause)
