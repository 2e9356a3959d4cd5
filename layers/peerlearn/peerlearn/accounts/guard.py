"""Progressive delay for guessing: a few free failures, then each attempt waits longer (capped).

An attempt is counted BEFORE its password is checked, by a conditional write on the failure count
it read: of several concurrent attempts only one is admitted per count, so none can overrun the
schedule. A success forgets the subject's failures. Nothing here locks anyone out for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from peerlearn import store
from peerlearn.store.keys import GUARD_SK, guard_pk
from peerlearn.store.models import GuardItem

_ATTEMPTS_TO_RACE = 3


@dataclass(frozen=True)
class Delay:
    scope: str
    free_failures: int  # failures that cost nothing
    first_delay_seconds: int  # the wait after the first failure past the free ones; doubles after each
    max_delay_seconds: int
    forget_after_seconds: int  # quiet time after which the failures are forgotten

    def wait_after(self, failures: int) -> int:
        if failures < self.free_failures:
            return 0
        doublings = min(failures - self.free_failures, 30)
        return min(self.max_delay_seconds, self.first_delay_seconds * 2**doublings)


class _Raced(Exception):
    """Another attempt was counted between our read and our write."""


def _read(delay: Delay, subject: str) -> GuardItem | None:
    try:
        return GuardItem.get(guard_pk(delay.scope, subject), GUARD_SK, consistent_read=True)
    except DoesNotExist:
        return None


def admit(delay: Delay, subject: str, now: int) -> int:
    """Counts an attempt as a failure in advance and returns 0, or returns the seconds to wait
    (nothing counted). `forget` after a success takes the count back."""
    for _ in range(_ATTEMPTS_TO_RACE):
        item = _read(delay, subject)
        expired = item is None or (item.ttl or 0) <= now
        failures = 0 if expired or item is None else int(item.failures)
        next_attempt_at = 0 if expired or item is None else int(item.next_attempt_at)
        if now < next_attempt_at:
            return next_attempt_at - now
        guard = GuardItem(guard_pk(delay.scope, subject), GUARD_SK)
        # Optimistic: the write holds only if nobody counted an attempt since we read.
        condition = (
            GuardItem.pk.does_not_exist() if item is None else GuardItem.failures == int(item.failures)
        )
        try:
            with store.failed_condition_raises(_Raced()):
                guard.update(
                    actions=GuardItem.upsert_actions(
                        [
                            GuardItem.failures.set(failures + 1),
                            GuardItem.next_attempt_at.set(now + delay.wait_after(failures + 1)),
                            GuardItem.ttl.set(now + delay.forget_after_seconds),
                        ]
                    ),
                    condition=condition,
                )
        except _Raced:
            continue  # another attempt was counted first: read again and wait behind it
        return 0
    return 1  # still racing: many attempts at this very moment; one more second sorts them


def forget(delay: Delay, subject: str) -> None:
    GuardItem(guard_pk(delay.scope, subject), GUARD_SK).delete()
