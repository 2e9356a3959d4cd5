"""Money between two dates for the assistant's tools: the analytics rollups, the same source as
`/api/admin/reports`, so the assistant and the report say the same for the same days.

Access patterns (Queries and BatchGets only, never a Scan):

| what | key condition | index |
|---|---|---|
| money by day in a range | pk = ROLLUP#all, sk between <from># and <to>#\\uffff | table |
| money by mentor in a range | ROLLUP#month#mentor (whole months), ROLLUP#mentor (days around) | table |
| refunds asked for in a range | gsi2pk = REFUNDS, gsi2sk between <start> and <end> | gsi2 |
| mentors' names and rating totals | pk = USER#<id>, sk = PROFILE / STATS | table (BatchGet) |

The rollups' money is summed from the ledger entries' own lines (analytics.facts), each counted on
the India day of the entry's `at`: a refund counts on the day its entry was written, not the day it
was asked for. So the figures equal the journal's for the same days, with no cap on the range.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from peerlearn.analytics import reports
from peerlearn.assistant.lookups import mask_email
from peerlearn.assistant.periods import Days
from peerlearn.payments.refunds import REFUNDS
from peerlearn.store.keys import STATS_SK, USER_PROFILE_SK, user_id_from_pk, user_pk
from peerlearn.store.models import BaseItem, MentorStatsItem, UserItem
from peerlearn.store.money import RefundItem

# An address an admin typed into a refund's reason ("asked by asha@example.com") reaches Groq masked.
_EMAIL = re.compile(r"[^\s@<>(),;:\"']+@[^\s@<>(),;:\"']+")

MONEY_METRICS = ["platform_revenue_paise", "gmv_paise", "gifts_paise", "refunds_paise", "bookings"]


def rupees(paise: int) -> str:
    """₹1,234.50 (Indian digit grouping is left to the UI; this is for sentences)."""
    sign = "-" if paise < 0 else ""
    whole, part = divmod(abs(paise), 100)
    return f"{sign}₹{whole:,}.{part:02d}"


def _refunds(days: Days) -> list[RefundItem]:
    return list(
        RefundItem.all_refunds.query(REFUNDS, RefundItem.gsi2sk.between(days.start_iso, days.end_iso))
    )


def _report(days: Days, dimension: str) -> reports.ReportOut:
    query = reports.ReportQuery(
        metrics=MONEY_METRICS, dimension=dimension, from_date=days.first, to_date=days.last
    )
    return reports.report(query)


@dataclass
class Money:
    days: Days
    platform_revenue_paise: int = 0
    gmv_paise: int = 0
    gifts_paise: int = 0
    refunds_paise: int = 0
    bookings: int = 0

    def summary(self) -> str:
        when = f"{self.days.first.isoformat()} to {self.days.last.isoformat()} (India time)"
        return (
            f"From {when}: platform revenue {rupees(self.platform_revenue_paise)} (fees net of refunds); "
            f"GMV {rupees(self.gmv_paise)} (what learners paid, gifts of {rupees(self.gifts_paise)} "
            f"included); refunds {rupees(self.refunds_paise)}; {self.bookings} bookings confirmed."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.days.as_dict(),
            "timezone": "Asia/Kolkata",
            "platform_revenue_paise": self.platform_revenue_paise,
            "gmv_paise": self.gmv_paise,
            "gifts_paise": self.gifts_paise,
            "refunds_paise": self.refunds_paise,
            "bookings_confirmed": self.bookings,
            "source": "analytics rollups (the reports' figures)",
            "summary": self.summary(),
        }


def money_between(days: Days) -> Money:
    """The range's money as the report by day shows it (its totals)."""
    totals = _report(days, "day").totals
    return Money(days, **{metric: totals[metric] for metric in MONEY_METRICS})


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
                "reason": _EMAIL.sub(lambda m: mask_email(m.group()), r.reason or "")[:80],
            }
            for r in newest
        ],
        "summary": summary,
    }


def top_mentors(days: Days, *, by: str, limit: int) -> dict[str, Any]:
    """Mentors ranked by what learners paid them (GMV) or by bookings confirmed in the range."""
    metric = "gmv_paise" if by == "revenue" else "bookings"
    rows_by_mentor = {row.key: row.values for row in _report(days, "mentor").rows}
    ranked = sorted(rows_by_mentor.items(), key=lambda kv: (-kv[1][metric], kv[0]))[:limit]
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
            "gmv_paise": values["gmv_paise"],
            "bookings": values["bookings"],
            "average_rating": ratings.get(mentor_id),
        }
        for mentor_id, values in ranked
    ]
    listed = "; ".join(f"{r['name']}: {rupees(r['gmv_paise'])}, {r['bookings']} bookings" for r in rows)
    summary = (
        f"Top mentors by {by} from {days.first.isoformat()} to {days.last.isoformat()} (India time): "
        + (listed or "no bookings or payments in that range")
        + "."
    )
    return {**days.as_dict(), "by": by, "mentors": rows, "summary": summary}
