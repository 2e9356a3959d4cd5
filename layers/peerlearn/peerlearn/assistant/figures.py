"""Money between two dates, as the ledger recorded it, for the assistant's tools.

Access patterns (Queries and BatchGets only, never a Scan):

| what | key condition | index |
|---|---|---|
| payments captured in a range | gsi1pk = PAYMENTS, gsi1sk between <start> and <end> | gsi1 |
| their capture entries | pk = LEDGER#capture#<payment id>, sk = ENTRY | table (BatchGet) |
| refunds asked for in a range | gsi2pk = REFUNDS, gsi2sk between <start> and <end> | gsi2 |
| their refund entries | pk = LEDGER#refund#<refund id>, sk = ENTRY | table (BatchGet) |
| mentors' names and rating totals | pk = USER#<id>, sk = PROFILE / STATS | table (BatchGet) |

The figures are summed from the journal entries themselves (the lines on the platform-fee and
gateway-clearing accounts), so they are the ledger's: the same entries whose running totals
`/api/admin/revenue` shows. A range holds at most MAX_PAYMENTS payments; past that the answer says
it is partial (a year of a busy platform belongs to the analytics rollups).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from peerlearn.assistant.periods import Days
from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE
from peerlearn.ledger.journal import Entry, from_item
from peerlearn.payments.refunds import REFUNDS
from peerlearn.store.keys import (
    LEDGER_ENTRY_SK,
    PAYMENTS,
    STATS_SK,
    USER_PROFILE_SK,
    ledger_entry_pk,
    user_id_from_pk,
    user_pk,
)
from peerlearn.store.models import BaseItem, MentorStatsItem, UserItem
from peerlearn.store.money import LedgerEntryItem, PaymentItem, RefundItem

MAX_PAYMENTS = 5000
_BATCH = 100  # BatchGetItem's most keys per call


def rupees(paise: int) -> str:
    """₹1,234.50 (Indian digit grouping is left to the UI; this is for sentences)."""
    sign = "-" if paise < 0 else ""
    whole, part = divmod(abs(paise), 100)
    return f"{sign}₹{whole:,}.{part:02d}"


def _entries(keys: Iterable[str]) -> Iterator[Entry]:
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _BATCH):
        chunk = [(ledger_entry_pk(key), LEDGER_ENTRY_SK) for key in wanted[start : start + _BATCH]]
        for item in LedgerEntryItem.batch_get(chunk):
            yield from_item(item)


def _payments(days: Days) -> tuple[list[PaymentItem], bool]:
    found: list[PaymentItem] = []
    query = PaymentItem.all_payments.query(PAYMENTS, PaymentItem.gsi1sk.between(days.start_iso, days.end_iso))
    for item in query:
        if len(found) == MAX_PAYMENTS:
            return found, True
        found.append(item)
    return found, False


def _refunds(days: Days) -> list[RefundItem]:
    return list(
        RefundItem.all_refunds.query(REFUNDS, RefundItem.gsi2sk.between(days.start_iso, days.end_iso))
    )


def _movement(entry: Entry, account: str) -> int:
    """The entry's credit-normal movement on `account` (credits - debits)."""
    return entry.net_paise().get(account, 0)


@dataclass
class Money:
    days: Days
    payments: int = 0
    bookings_paid: int = 0
    gifts_paid: int = 0
    gmv_paise: int = 0
    gifts_paise: int = 0
    platform_fee_paise: int = 0
    refunds: int = 0
    refunds_paise: int = 0
    platform_fee_refunded_paise: int = 0
    partial: bool = False
    by_mentor: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def platform_revenue_paise(self) -> int:
        """The platform's fee income net of the fee refunds gave back: its revenue."""
        return self.platform_fee_paise - self.platform_fee_refunded_paise

    def summary(self) -> str:
        when = f"{self.days.first.isoformat()} to {self.days.last.isoformat()} (India time)"
        text = (
            f"From {when}: platform revenue {rupees(self.platform_revenue_paise)} "
            f"(fees {rupees(self.platform_fee_paise)} less {rupees(self.platform_fee_refunded_paise)} "
            f"given back by refunds); GMV {rupees(self.gmv_paise)} over {self.payments} payments "
            f"({self.bookings_paid} bookings, {self.gifts_paid} gifts worth {rupees(self.gifts_paise)}); "
            f"refunds {rupees(self.refunds_paise)} ({self.refunds} processed)."
        )
        return text + (" Partial: the range has more payments than one answer reads." if self.partial else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.days.as_dict(),
            "timezone": "Asia/Kolkata",
            "platform_revenue_paise": self.platform_revenue_paise,
            "platform_fee_paise": self.platform_fee_paise,
            "platform_fee_refunded_paise": self.platform_fee_refunded_paise,
            "gmv_paise": self.gmv_paise,
            "payments": self.payments,
            "bookings_paid": self.bookings_paid,
            "gifts_paid": self.gifts_paid,
            "gifts_paise": self.gifts_paise,
            "refunds_processed": self.refunds,
            "refunds_paise": self.refunds_paise,
            "partial": self.partial,
            "summary": self.summary(),
        }


def money_between(days: Days) -> Money:
    """Captures in the range (their ledger entries) and refunds asked for in it (theirs, once processed)."""
    money = Money(days)
    payments, money.partial = _payments(days)
    mentor_of = {p.payment_id: p.mentor_id for p in payments}
    for entry in _entries(f"capture#{p.payment_id}" for p in payments):
        gross = -_movement(entry, GATEWAY_CLEARING)  # clearing is debited with what the learner paid
        money.payments += 1
        money.gmv_paise += gross
        money.platform_fee_paise += _movement(entry, PLATFORM_FEE)
        if entry.kind == "gift_capture":
            money.gifts_paid += 1
            money.gifts_paise += gross
        else:
            money.bookings_paid += 1
        mentor = money.by_mentor[
            mentor_of.get(entry.refs.get("payment_id", ""), entry.refs.get("mentor_id", ""))
        ]
        mentor[0] += gross
        mentor[1] += 1
    processed = [r for r in _refunds(days) if r.status == "processed" and r.refund_id]
    for entry in _entries(f"refund#{r.refund_id}" for r in processed):
        money.refunds += 1
        money.refunds_paise += _movement(entry, GATEWAY_CLEARING)
        money.platform_fee_refunded_paise += -_movement(entry, PLATFORM_FEE)
    return money


def refunds_between(days: Days, limit: int) -> dict[str, Any]:
    """Refunds asked for in the range: totals by status and the newest `limit` of them."""
    refunds = _refunds(days)
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for refund in refunds:
        by_status[refund.status][0] += 1
        by_status[refund.status][1] += int(refund.amount_paise)
    newest = sorted(refunds, key=lambda r: r.created_at, reverse=True)[:limit]
    total = sum(int(r.amount_paise) for r in refunds)
    parts = ", ".join(f"{n} {status} ({rupees(paise)})" for status, (n, paise) in sorted(by_status.items()))
    summary = (
        f"From {days.first.isoformat()} to {days.last.isoformat()} (India time): "
        f"{len(refunds)} refunds asked for, "
        f"{rupees(total)} in all" + (f": {parts}." if parts else ".")
    )
    return {
        **days.as_dict(),
        "count": len(refunds),
        "amount_paise": total,
        "by_status": {s: {"count": n, "amount_paise": p} for s, (n, p) in sorted(by_status.items())},
        "newest": [
            {
                "payment_id": r.payment_id,
                "amount_paise": int(r.amount_paise),
                "kind": r.kind,
                "status": r.status,
                "created_at": r.created_at,
                "reason": (r.reason or "")[:80],
            }
            for r in newest
        ],
        "summary": summary,
    }


def top_mentors(days: Days, *, by: str, limit: int) -> dict[str, Any]:
    """Mentors ranked by what learners paid them (GMV) or by paid bookings and gifts in the range."""
    money = money_between(days)
    index = 0 if by == "revenue" else 1
    ranked = sorted(money.by_mentor.items(), key=lambda kv: (-kv[1][index], kv[0]))[:limit]
    ids = [mentor_id for mentor_id, _ in ranked if mentor_id]
    names: dict[str, str] = {}
    ratings: dict[str, float | None] = {}
    keys = [(user_pk(i), USER_PROFILE_SK) for i in ids] + [(user_pk(i), STATS_SK) for i in ids]
    for item in BaseItem.batch_get(keys) if keys else []:
        if isinstance(item, UserItem):
            names[item.id] = item.name
        elif isinstance(item, MentorStatsItem):
            count = int(item.rating_count or 0)
            mentor_id = user_id_from_pk(str(item.pk))
            ratings[mentor_id] = round(int(item.rating_sum or 0) / count, 2) if count else None
    rows: list[dict[str, Any]] = [
        {
            "mentor_id": mentor_id,
            "name": names.get(mentor_id, "(unknown)"),
            "gmv_paise": gmv,
            "payments": count,
            "average_rating": ratings.get(mentor_id),
        }
        for mentor_id, (gmv, count) in ranked
    ]
    listed = "; ".join(f"{r['name']}: {rupees(r['gmv_paise'])} over {r['payments']} payments" for r in rows)
    summary = (
        f"Top mentors by {by} from {days.first.isoformat()} to {days.last.isoformat()} (India time): "
        + (listed or "no payments in that range")
        + "."
    )
    return {**days.as_dict(), "by": by, "mentors": rows, "partial": money.partial, "summary": summary}
