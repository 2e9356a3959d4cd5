"""How strongly each kind of event says "this learner wants this": one scale shared by the build, the
stream (no numpy here: the streams function imports it) and the evaluator."""

from __future__ import annotations

BOOKING_WEIGHT = 1.0
VIEW_WEIGHT = 0.1  # a page view is a weak hint: ten views weigh one booking

# A rating of a session the learner already booked adds to the booking's weight: a 5 lifts it, a 1
# almost cancels it (they came, and did not like it).
_RATING_WEIGHTS = {1: -0.8, 2: -0.4, 3: 0.0, 4: 0.5, 5: 1.0}


def rating_weight(stars: float) -> float:
    """The extra weight a rating of `stars` (1-5; halves interpolate) gives, added to the booking's."""
    stars = min(5.0, max(1.0, float(stars)))
    low = int(stars)
    high = min(5, low + 1)
    share = stars - low
    return _RATING_WEIGHTS[low] * (1 - share) + _RATING_WEIGHTS[high] * share


def stars_of(weight: float) -> int | None:
    """The stars a learner's summed history weight for one session implies (booking + rating), when it
    says 4 or 5 (the only ones a reason quotes); None otherwise."""
    for stars in (5, 4):
        if weight >= BOOKING_WEIGHT + _RATING_WEIGHTS[stars] - 1e-6:
            return stars
    return None


def trend_weight(weight: float) -> float:
    """What an event of `weight` adds to a session's trend, the same in the stream's live index and in
    the build's model (which sums the positive weights): a poor rating takes nothing away."""
    return max(0.0, weight)
