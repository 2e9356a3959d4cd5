"""Time-decayed popularity: a booking (or rating, or view) counts for half as much every
`HALF_LIFE_SECONDS`. Pure Python (no numpy): the stream keeps each session's `trend_log2` with it.

The stream stores `trend_log2 = log2(sum_i w_i * 2**((t_i - EPOCH) / HALF_LIFE))` per session: every
event's weight grows with its time instead of old events shrinking, so the stored figure never needs
rewriting as time passes and sessions still order by it (the common factor 2**(-now/HALF_LIFE) is the
same for all). log2 keeps it finite for centuries of events.
"""

from __future__ import annotations

import math

# 2026-01-01T00:00:00Z
EPOCH = 1_767_225_600

# The product's definition of "this week's momentum", not a fitted figure: the live TRENDING index
# the stream keeps (and "Popular this week" on it) halves an event's weight every 7 days. A session
# is bookable for days to weeks, so a booking from last month should count for little by the time
# the page is read. (The model's own decayed popularity, a ranking signal that may span months, picks
# its half-life per build by measurement: `popularity.choose_half_life`.)
HALF_LIFE_SECONDS = 7 * 24 * 3600


def decay_weight_log2(weight: float, at: int) -> float:
    """log2 of one event's contribution `weight * 2**((at - EPOCH) / HALF_LIFE)`; -inf for weight <= 0."""
    if weight <= 0:
        return -math.inf
    return math.log2(weight) + (at - EPOCH) / HALF_LIFE_SECONDS


def add_log2(current: float | None, weight: float, at: int) -> float:
    """`current` (a stored trend_log2, None for none yet) with one more event of `weight` at `at`:
    log2(2**current + 2**new) computed without overflow. A negative weight (an undone booking) takes
    its share away again, never below nothing (-inf)."""
    if weight == 0:
        return -math.inf if current is None else current
    step = math.log2(abs(weight)) + (at - EPOCH) / HALF_LIFE_SECONDS
    if current is None or current == -math.inf:
        return step if weight > 0 else -math.inf
    high, low = max(current, step), min(current, step)
    if weight > 0:
        return high + math.log2(1.0 + 2.0 ** (low - high))
    if step >= current:
        return -math.inf
    return current + math.log2(1.0 - 2.0 ** (step - current))


def trend_at(trend_log2: float, now: int) -> float:
    """The decayed popularity a stored trend_log2 stands for at `now` (events' weights halved per
    half-life since they happened)."""
    if trend_log2 == -math.inf:
        return 0.0
    return 2.0 ** (trend_log2 - (now - EPOCH) / HALF_LIFE_SECONDS)


def decay(age_seconds: float, half_life_seconds: float = HALF_LIFE_SECONDS) -> float:
    """The share of an event's weight left after `age_seconds` (1 for an event in the future)."""
    return 2.0 ** (-max(0.0, age_seconds) / half_life_seconds)
