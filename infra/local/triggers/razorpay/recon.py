"""The settlement recon report (`GET /v1/settlements/recon/combined?year&month[&day][&count][&skip]`).

One row per captured payment (credit = amount - fee; `fee` includes `tax`, 2% + 18% GST) and per
processed refund of a captured payment (debit = amount), on the day (India time) it was captured or
processed. Locally everything settles the day it happens, in one settlement per day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from infra.local.triggers.razorpay.books import Books, Entity, RazorpayError

IST = timezone(timedelta(hours=5, minutes=30))
MAX_COUNT = 1000


def _number(query: dict[str, str], name: str, low: int, high: int, required: bool) -> int | None:
    text = query.get(name)
    if text is None or text == "":
        if required:
            raise RazorpayError(f"The {name} field is required.", field=name)
        return None
    try:
        value = int(text)
    except ValueError:
        raise RazorpayError(f"The {name} must be an integer.", field=name) from None
    if not low <= value <= high:
        raise RazorpayError(f"The {name} must be between {low} and {high}.", field=name)
    return value


def recon_report(books: Books, query: dict[str, str]) -> Entity:
    year = _number(query, "year", 2000, 2100, True)
    month = _number(query, "month", 1, 12, True)
    day = _number(query, "day", 1, 31, False)
    count = _number(query, "count", 1, MAX_COUNT, False) or 10
    skip = _number(query, "skip", 0, 10**9, False) or 0

    def on_the_day(epoch: int) -> bool:
        moment = datetime.fromtimestamp(epoch, UTC).astimezone(IST)
        return (moment.year, moment.month) == (year, month) and (day is None or moment.day == day)

    rows: list[tuple[int, int, Entity]] = []
    with books.locked():
        for payment in books.records["payments"].values():
            at = payment.get("_captured_at")
            if at is not None and on_the_day(at):
                rows.append((at, payment["_seq"], _payment_row(books, payment, at)))
        for refund in books.records["refunds"].values():
            at = refund.get("_processed_at")
            payment = books.get("payments", refund["payment_id"])
            # An uncaptured payment never reached a settlement, nor does its (automatic) refund.
            if at is not None and on_the_day(at) and payment["captured"]:
                rows.append((at, refund["_seq"], _refund_row(books, refund, payment, at)))
    rows.sort(key=lambda row: (row[0], row[1]))
    items = [row for _, _, row in rows[skip : skip + count]]
    return {"entity": "collection", "count": len(items), "items": items}


def _settlement(at: int) -> dict[str, Any]:
    day = datetime.fromtimestamp(at, UTC).astimezone(IST).strftime("%Y%m%d")
    return {
        "settled": True,
        "settled_at": at,
        "settlement_id": f"setl_Local{day}0",  # setl_ + 14 characters, one settlement per day
        "settlement_utr": f"{day}LOCALUTR",
        "on_hold": False,
        "posted_at": None,
        "credit_type": "default",
        "dispute_id": None,
    }


def _common(books: Books, payment: Entity) -> dict[str, Any]:
    order = books.records["orders"].get(payment["order_id"] or "")
    card = payment["method"] == "card"
    return {
        "currency": payment["currency"],
        "description": payment["description"],
        "notes": payment["notes"],
        "order_id": payment["order_id"],
        "order_receipt": order["receipt"] if order else None,
        "method": payment["method"],
        "card_network": "Visa" if card else None,
        "card_issuer": "HDFC" if card else None,
        "card_type": "credit" if card else None,
    }


def _payment_row(books: Books, payment: Entity, at: int) -> Entity:
    return {
        "entity_id": payment["id"],
        "type": "payment",
        "debit": 0,
        "credit": payment["amount"] - payment["fee"],
        "amount": payment["amount"],
        "fee": payment["fee"],
        "tax": payment["tax"],
        "created_at": at,
        "payment_id": None,
        **_common(books, payment),
        **_settlement(at),
    }


def _refund_row(books: Books, refund: Entity, payment: Entity, at: int) -> Entity:
    return {
        "entity_id": refund["id"],
        "type": "refund",
        "debit": refund["amount"],
        "credit": 0,
        "amount": refund["amount"],
        "fee": 0,
        "tax": 0,
        "created_at": at,
        "payment_id": payment["id"],
        **_common(books, payment),
        **_settlement(at),
    }
