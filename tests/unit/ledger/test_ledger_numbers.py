"""Receipt and credit-note numbers on moto: consecutive per Indian financial year, 16 characters at
most, the same number for the same document, and no gaps when callers race."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from peerlearn import ledger
from peerlearn.context import Context
from peerlearn.ledger import numbers
from peerlearn.ledger.numbers import format_number


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("moment_utc", "year"),
    [
        ("2026-04-01T00:00:00", "2627"),
        ("2026-03-31T18:29:59", "2526"),  # 23:59:59 on 31 March in India
        ("2026-03-31T18:30:00", "2627"),  # midnight, 1 April, in India
        ("2027-03-31T12:00:00", "2627"),
        ("2099-12-31T00:00:00", "9900"),
    ],
)
def test_the_financial_year_runs_april_to_march_india_time(moment_utc: str, year: str) -> None:
    assert ledger.financial_year(_epoch(moment_utc)) == year


def test_numbers_follow_on_per_series_and_repeat_per_document(ctx: Context) -> None:
    at = _epoch("2026-11-29T10:00:00")

    first = ledger.document_number("receipt", "pay_A", at)
    second = ledger.document_number("receipt", "pay_B", at)
    again = ledger.document_number("receipt", "pay_A", at + 86_400 * 200)  # asked later: same number
    note = ledger.document_number("credit_note", "rfnd_A", at)

    assert (first, second, again) == ("PL/2627/000001", "PL/2627/000002", "PL/2627/000001")
    assert note == "PLCN/2627/000001"
    assert len(note) <= 16


def test_a_new_financial_year_starts_again_at_one(ctx: Context) -> None:
    ledger.document_number("receipt", "pay_A", _epoch("2027-03-31T10:00:00"))

    assert ledger.document_number("receipt", "pay_B", _epoch("2027-04-01T10:00:00")) == "PL/2728/000001"


def test_numbers_longer_than_sixteen_characters_are_refused() -> None:
    assert format_number("credit_note", "2627", 999_999) == "PLCN/2627/999999"
    with pytest.raises(OverflowError):
        format_number("credit_note", "2627", 1_000_000)


def test_a_caller_that_read_a_stale_counter_retries_instead_of_reusing_a_number(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another caller took number 1 between this caller's read of the counter and its write
    # (moto runs transactions without isolation between threads: real races are in tests/integration)
    at = _epoch("2026-11-29T10:00:00")
    ledger.document_number("receipt", "pay_A", at)
    reads = iter([0])  # the stale read, then the real ones
    real_last_number = numbers._last_number

    def stale_once(counter_pk: str) -> int:
        stale = next(reads, None)
        return real_last_number(counter_pk) if stale is None else stale

    monkeypatch.setattr(numbers, "_last_number", stale_once)

    # When it asks, it fails on the counter's condition, reads again and takes the next number
    assert ledger.document_number("receipt", "pay_B", at) == "PL/2627/000002"
