"""The split and refund arithmetic: integer paise that always add up, rounded the same way every
time, and partial refunds that never reverse more of a part than the capture put there."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn import ledger
from peerlearn.ledger.split import prorate

amounts = st.integers(min_value=0, max_value=10**9)
rates = st.integers(min_value=0, max_value=2500)


def test_the_default_split_of_a_thousand_rupees() -> None:
    parts = ledger.split(100_000)

    assert parts == ledger.Split(
        amount_paise=100_000,
        platform_fee_paise=10_000,
        gst_paise=1_800,
        tcs_paise=500,
        tds_paise=100,
        mentor_share_paise=87_600,
    )


def test_halves_round_up() -> None:
    # 10% of 105 paise is 10.5 -> 11; 18% of 11 is 1.98 -> 2; 0.5% is 0.525 -> 1; 0.1% is 0.105 -> 0
    parts = ledger.split(105)

    assert (parts.platform_fee_paise, parts.gst_paise, parts.tcs_paise, parts.tds_paise) == (11, 2, 1, 0)
    assert parts.mentor_share_paise == 91


@given(amounts, rates, rates, rates, rates)
def test_parts_add_up_exactly_and_none_is_negative(
    amount: int, fee_bps: int, gst_bps: int, tcs_bps: int, tds_bps: int
) -> None:
    parts = ledger.split(amount, fee_bps=fee_bps, gst_bps=gst_bps, tcs_bps=tcs_bps, tds_bps=tds_bps)

    assert sum(parts.parts_paise()) == amount
    assert all(part >= 0 for part in parts.parts_paise())
    assert parts == ledger.split(amount, fee_bps=fee_bps, gst_bps=gst_bps, tcs_bps=tcs_bps, tds_bps=tds_bps)


@given(amounts)
def test_each_part_is_within_half_a_paisa_of_its_exact_value(amount: int) -> None:
    parts = ledger.split(amount)

    assert abs(parts.platform_fee_paise * 10_000 - amount * 1000) <= 5000
    assert abs(parts.tcs_paise * 10_000 - amount * 50) <= 5000
    assert abs(parts.tds_paise * 10_000 - amount * 10) <= 5000
    assert abs(parts.gst_paise * 10_000 - parts.platform_fee_paise * 1800) <= 5000


def test_rates_that_leave_the_mentor_less_than_nothing_are_refused() -> None:
    with pytest.raises(ValueError, match="exceed the amount"):
        ledger.split(100, fee_bps=10_000, gst_bps=1800)
    with pytest.raises(ValueError, match="negative"):
        ledger.split(-1)


@given(st.integers(min_value=1, max_value=10**7), st.data())
def test_prorate_sums_to_the_refund_and_never_shrinks(amount: int, data: st.DataObject) -> None:
    original = ledger.split(amount)
    smaller = data.draw(st.integers(min_value=0, max_value=amount))
    larger = data.draw(st.integers(min_value=smaller, max_value=amount))

    low, high = prorate(original, smaller), prorate(original, larger)

    assert sum(low.parts_paise()) == smaller
    assert all(a <= b for a, b in zip(low.parts_paise(), high.parts_paise(), strict=True))
    assert all(b <= o for b, o in zip(high.parts_paise(), original.parts_paise(), strict=True))
    assert prorate(original, amount) == original


@given(st.integers(min_value=1, max_value=10**7), st.data())
def test_prorate_stays_within_a_paisa_of_the_exact_share(amount: int, data: st.DataObject) -> None:
    original = ledger.split(amount)
    refunded = data.draw(st.integers(min_value=0, max_value=amount))

    parts = prorate(original, refunded).parts_paise()

    for part, whole in zip(parts, original.parts_paise(), strict=True):
        assert part * amount >= whole * refunded - amount  # floor(exact) or more
        assert part <= whole


def _refund_lines(entry: ledger.Entry) -> dict[str, int]:
    return {line.account: line.debit_paise for line in entry.lines if line.debit_paise}


@given(
    st.integers(min_value=1, max_value=10**6), st.lists(st.integers(min_value=1, max_value=10**6), max_size=8)
)
def test_partial_refunds_never_reverse_more_than_the_capture(amount: int, wanted: list[int]) -> None:
    # Given a capture and a series of partial refunds that stay within it
    original = ledger.split(amount)
    capture = ledger.capture_entry(
        "capture#pay_1", kind="booking_capture", payment_id="pay_1", amount_paise=amount,
        mentor_id="m1", split=original, refs={},
    )  # fmt: skip
    captured = {line.account: line.credit_paise for line in capture.lines if line.credit_paise}
    reversed_paise: dict[str, int] = {}
    refunded = 0
    # When each is refunded in turn, the last one taking whatever is left
    for n, want in enumerate([*wanted, amount]):
        amount_paise = min(want, amount - refunded)
        if amount_paise == 0:
            break
        refund = ledger.refund_entry(
            f"refund#rfnd_{n}", refund_id=f"rfnd_{n}", payment_id="pay_1", amount_paise=amount_paise,
            mentor_id="m1", original=original, refs={}, refunded_before_paise=refunded,
        )  # fmt: skip
        assert refund.debits_paise() == refund.credits_paise() == amount_paise
        for account, paise in _refund_lines(refund).items():
            reversed_paise[account] = reversed_paise.get(account, 0) + paise
            # Then no part is ever reversed beyond what the capture credited it
            assert reversed_paise[account] <= captured[account]
        refunded += amount_paise
    # And refunding everything reverses the capture exactly
    assert reversed_paise == captured


def test_a_full_refund_at_once_mirrors_the_capture() -> None:
    original = ledger.split(49_999)
    capture = ledger.capture_entry(
        "c",
        kind="booking_capture",
        payment_id="pay_1",
        amount_paise=49_999,
        mentor_id="m1",
        split=original,
        refs={},
    )
    refund = ledger.refund_entry(
        "r",
        refund_id="rfnd_1",
        payment_id="pay_1",
        amount_paise=49_999,
        mentor_id="m1",
        original=original,
        refs={},
    )

    credited = sorted((line.account, line.credit_paise) for line in capture.lines)
    debited = sorted((line.account, line.debit_paise) for line in refund.lines)
    assert credited == debited


def test_a_refund_beyond_the_capture_is_refused() -> None:
    original = ledger.split(10_000)
    with pytest.raises(ValueError, match="exceed the captured amount"):
        ledger.refund_entry(
            "r", refund_id="rfnd_1", payment_id="pay_1", amount_paise=6_000, mentor_id="m1",
            original=original, refs={}, refunded_before_paise=5_000,
        )  # fmt: skip
