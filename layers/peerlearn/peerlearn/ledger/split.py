"""How a payment divides: the platform's fee, GST on it, TCS and TDS withheld, the mentor's share.
Integer paise; each part is rounded half up and the mentor's share is the rest, so the parts always
add up to the amount. `prorate` divides a refund of part of a payment the same way."""

from __future__ import annotations

from dataclasses import astuple, dataclass

BPS = 10_000  # basis points in one


@dataclass(frozen=True)
class Split:
    amount_paise: int
    platform_fee_paise: int
    gst_paise: int
    tcs_paise: int
    tds_paise: int
    mentor_share_paise: int

    def parts_paise(self) -> tuple[int, int, int, int, int]:
        """The five parts in a fixed order (fee, GST, TCS, TDS, mentor), summing to the amount."""
        _amount, fee, gst, tcs, tds, mentor = astuple(self)
        return fee, gst, tcs, tds, mentor


def _half_up(amount_paise: int, bps: int) -> int:
    return (amount_paise * bps + BPS // 2) // BPS


def split(
    amount_paise: int, *, fee_bps: int = 1000, gst_bps: int = 1800, tcs_bps: int = 50, tds_bps: int = 10
) -> Split:
    """Fee = amount x fee_bps; GST = fee x gst_bps; TCS (GST, on the mentor's taxable supply, the
    gross amount) and TDS (194-O, on the gross amount) = amount x their rates; the mentor gets the rest."""
    if amount_paise < 0:
        raise ValueError("amount_paise must not be negative")
    if any(not 0 <= bps <= BPS for bps in (fee_bps, gst_bps, tcs_bps, tds_bps)):
        raise ValueError("rates are basis points between 0 and 10000")
    fee = _half_up(amount_paise, fee_bps)
    gst = _half_up(fee, gst_bps)
    tcs = _half_up(amount_paise, tcs_bps)
    tds = _half_up(amount_paise, tds_bps)
    mentor = amount_paise - fee - gst - tcs - tds
    if mentor < 0:
        raise ValueError("the fee, taxes and withholdings exceed the amount")
    return Split(amount_paise, fee, gst, tcs, tds, mentor)


def prorate(original: Split, refunded_paise: int) -> Split:
    """The parts of `original` that a refund of `refunded_paise` (all refunds so far, together)
    reverses: D'Hondt apportionment of the refunded paise over the parts. It sums exactly to
    `refunded_paise`, equals `original` for a full refund, and never shrinks as more is refunded,
    so successive partial refunds (differences of prorate) never reverse more of a part than it had."""
    amount = original.amount_paise
    if not 0 <= refunded_paise <= amount:
        raise ValueError("a refund must be between 0 and the captured amount")
    parts = original.parts_paise()
    if refunded_paise == amount:
        return original
    # Every part's quotients p/j >= amount/refunded are among the winners (lower quota) ...
    given = [part * refunded_paise // amount for part in parts]
    # ... and the few paise left go, one at a time, to the highest next quotient p/(given+1); ties
    # to the earlier part. That is the sequential D'Hondt order, hence monotone in refunded_paise.
    for _ in range(refunded_paise - sum(given)):
        best = 0
        for i in range(1, len(parts)):
            if parts[i] * (given[best] + 1) > parts[best] * (given[i] + 1):
                best = i
        given[best] += 1
    fee, gst, tcs, tds, mentor = given
    return Split(refunded_paise, fee, gst, tcs, tds, mentor)
