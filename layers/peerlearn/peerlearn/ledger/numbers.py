"""Receipt and credit-note numbers: consecutive per series and Indian financial year (April-March,
IST), at most 16 characters, and the same number again for the same document."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pynamodb.exceptions import TransactWriteError

from peerlearn import clock, store
from peerlearn.store.keys import DOC_COUNTER_SK, DOC_NUMBER_SK, doc_counter_pk, doc_number_pk
from peerlearn.store.models import DocumentCounterItem, DocumentNumberItem

Series = Literal["receipt", "credit_note"]
PREFIXES: dict[str, str] = {"receipt": "PL", "credit_note": "PLCN"}
MAX_CHARS = 16  # GST rules: an invoice's serial number has at most 16 characters
_IST = ZoneInfo("Asia/Kolkata")
_ATTEMPTS = 60


def financial_year(at_epoch: int) -> str:
    """ "2627" for any moment from 1 April 2026 to 31 March 2027, India time."""
    day = datetime.fromtimestamp(at_epoch, tz=_IST)
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def format_number(series: str, year: str, number: int) -> str:
    text = f"{PREFIXES[series]}/{year}/{number:06d}"
    if len(text) > MAX_CHARS:
        raise OverflowError(f"the {series} series of {year} ran out of numbers")
    return text


def document_number(series: Series, for_key: str, at_epoch: int) -> str:
    """The number of the `series` document for `for_key` (a payment id, a refund id): the first call
    takes the next number of `at_epoch`'s financial year, later calls return the same one.

    Gapless: the counter moves only from the value read to that value + 1, in one transaction with
    the claim on `for_key`; a racing caller retries with the new value, so no number is skipped."""
    if series not in PREFIXES:
        raise ValueError(f"unknown series {series!r}")
    year = financial_year(at_epoch)
    claim_pk = doc_number_pk(series, for_key)
    counter_pk = doc_counter_pk(series, year)
    for attempt in range(_ATTEMPTS):
        issued = _issued(claim_pk)
        if issued is not None:
            return issued
        last = _last_number(counter_pk)
        number = format_number(series, year, last + 1)
        counter = DocumentCounterItem(counter_pk, DOC_COUNTER_SK)
        moved_from_last = (
            DocumentCounterItem.last_number == last
            if last
            else DocumentCounterItem.last_number.does_not_exist()
        )
        claim = DocumentNumberItem(
            claim_pk, DOC_NUMBER_SK, number=number, for_key=for_key, issued_at=clock.iso(at_epoch)
        )
        try:
            with store.transaction() as tx:
                tx.save(claim, condition=DocumentNumberItem.pk.does_not_exist())
                tx.update(
                    counter,
                    actions=DocumentCounterItem.upsert_actions(
                        [DocumentCounterItem.last_number.set(last + 1)]
                    ),
                    condition=moved_from_last,
                )
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            time.sleep(random.uniform(0, 0.005 * min(attempt + 1, 10)))  # noqa: S311 - jitter, not secrecy
            continue
        return number
    raise RuntimeError(f"could not take a {series} number for {for_key}: too much contention")


def _issued(claim_pk: str) -> str | None:
    try:
        return str(DocumentNumberItem.get(claim_pk, DOC_NUMBER_SK, consistent_read=True).number)
    except DocumentNumberItem.DoesNotExist:
        return None


def _last_number(counter_pk: str) -> int:
    try:
        item = DocumentCounterItem.get(counter_pk, DOC_COUNTER_SK, consistent_read=True)
    except DocumentCounterItem.DoesNotExist:
        return 0
    return int(item.last_number or 0)
