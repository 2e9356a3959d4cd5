"""What an item says happened, as facts the rollups count: pure functions of one item's image.

| item | fact id | day (India's calendar day of) | counters |
|---|---|---|---|
| BOOKING, any | `booked#<booking>` | created_at | funnel_bookings |
| BOOKING, confirmed_at set | `confirmed#<booking>` | confirmed_at | bookings, funnel_payments |
| BOOKING, cancelled after confirming | `cancelled#<booking>` | cancelled_at | cancellations |
| BOOKING, no_show | `no_show#<booking>` | session_starts_at | no_shows |
| BOOKING, completed | `completed#<booking>` | session_starts_at | completed_minutes, funnel_attended |
| LEDGER_ENTRY booking_capture | `ledger#<key>` | at | gmv_paise, platform_revenue_paise |
| LEDGER_ENTRY gift_capture | `ledger#<key>` | at | gmv_paise, gifts_paise, platform_revenue_paise |
| LEDGER_ENTRY refund | `ledger#<key>` | at | refunds_paise, platform_revenue_paise (negative) |
| USER | `signup#<user>` | created_at | signups |
| USER | `active#<day>#<user>` | created_at, last_signed_in_at | active_users (distinct per day) |
| ACTIVE_DAY (a sign-in, a day's first refresh) | `active#<day>#<user>` | its day | active_users |

Money comes from the ledger entry's own lines (gateway clearing, platform fee), so the rollups' sums
equal the ledger's balances. The same function serves the stream (old image -> new image) and the
backfill (each item as it is now), which is why the two agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE

logger = logging.getLogger(__name__)

INDIA = ZoneInfo("Asia/Kolkata")
RETRACTED = "~retracted"


@dataclass(frozen=True)
class Fact:
    id: str
    day: str  # YYYY-MM-DD, Asia/Kolkata
    deltas: dict[str, int]
    session_id: str | None = None
    mentor_id: str | None = None
    payment_id: str | None = None  # a refund's payment: its session gives the tag and language
    # A fact that can stop being true (a completed booking later marked a no-show) is taken back when
    # its item changes; an activity marker (active that day) stays true whatever the user does next.
    retractable: bool = True

    def retraction(self) -> Fact:
        negated = {metric: -count for metric, count in self.deltas.items()}
        return Fact(
            self.id + RETRACTED, self.day, negated, self.session_id, self.mentor_id, self.payment_id, False
        )


def india_day(utc_iso: str) -> str:
    """'2026-11-30T20:00:00Z' -> '2026-12-01' (India's calendar day); fractions of a second ignored."""
    moment = datetime.strptime(utc_iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return moment.astimezone(INDIA).date().isoformat()


def _minutes(starts_at: str, ends_at: str) -> int:
    start = datetime.strptime(starts_at[:19], "%Y-%m-%dT%H:%M:%S")
    end = datetime.strptime(ends_at[:19], "%Y-%m-%dT%H:%M:%S")
    return max(0, int((end - start).total_seconds()) // 60)


def facts_of(image: dict[str, Any]) -> list[Fact]:
    """The facts an item's image (as the stream or a Scan gives it) records; none for other items."""
    if not image:
        return []
    entity = image.get("entity")
    read = {
        "BOOKING": _booking_facts,
        "LEDGER_ENTRY": _ledger_facts,
        "USER": _user_facts,
        "ACTIVE_DAY": _active_day_facts,
    }.get(str(entity))
    if read is None:
        return []
    try:
        return read(image)
    except (KeyError, ValueError, TypeError):
        # An item without what its facts need is logged and left uncounted: failing here would send
        # the whole record (its notices and signals too) round the retries to the dead-letter queue.
        logger.exception("an item's facts could not be read", extra={"entity": entity, "pk": image.get("pk")})
        return []


def _booking_facts(image: dict[str, Any]) -> list[Fact]:
    booking_id, status = str(image["id"]), str(image.get("status"))
    session_id, mentor_id = str(image["session_id"]), str(image["mentor_id"])

    def fact(fact_id: str, day: str, deltas: dict[str, int]) -> Fact:
        return Fact(fact_id, day, deltas, session_id=session_id, mentor_id=mentor_id)

    facts = [fact(f"booked#{booking_id}", india_day(str(image["created_at"])), {"funnel_bookings": 1})]
    confirmed_at = image.get("confirmed_at")
    if confirmed_at:
        seat = {"bookings": 1, "funnel_payments": 1}
        facts.append(fact(f"confirmed#{booking_id}", india_day(str(confirmed_at)), seat))
        if status == "cancelled" and image.get("cancelled_at"):
            day = india_day(str(image["cancelled_at"]))
            facts.append(fact(f"cancelled#{booking_id}", day, {"cancellations": 1}))
    session_day = india_day(str(image["session_starts_at"]))
    if status == "no_show":
        facts.append(fact(f"no_show#{booking_id}", session_day, {"no_shows": 1}))
    if status == "completed":
        minutes = _minutes(str(image["session_starts_at"]), str(image["session_ends_at"]))
        attended = {"completed_minutes": minutes, "funnel_attended": 1}
        facts.append(fact(f"completed#{booking_id}", session_day, attended))
    return facts


def _ledger_facts(image: dict[str, Any]) -> list[Fact]:
    kind = str(image.get("kind"))
    if kind not in ("booking_capture", "gift_capture", "refund"):
        return []
    clearing_debit = clearing_credit = fee_credit = fee_debit = 0
    for line in image.get("lines") or []:
        if line.get("account") == GATEWAY_CLEARING:
            clearing_debit += int(line.get("debit_paise", 0))
            clearing_credit += int(line.get("credit_paise", 0))
        elif line.get("account") == PLATFORM_FEE:
            fee_credit += int(line.get("credit_paise", 0))
            fee_debit += int(line.get("debit_paise", 0))
    if kind == "refund":
        deltas = {"refunds_paise": clearing_credit, "platform_revenue_paise": -fee_debit}
    else:
        deltas = {"gmv_paise": clearing_debit, "platform_revenue_paise": fee_credit}
        if kind == "gift_capture":
            deltas["gifts_paise"] = clearing_debit
    refs = image.get("refs") or {}
    return [
        Fact(
            f"ledger#{image['key']}",
            india_day(str(image["at"])),
            {metric: paise for metric, paise in deltas.items() if paise},
            session_id=str(refs["session_id"]) if refs.get("session_id") else None,
            mentor_id=str(refs["mentor_id"]) if refs.get("mentor_id") else None,
            payment_id=str(refs["payment_id"]) if refs.get("payment_id") else None,
            retractable=False,  # journal entries are never changed
        )
    ]


def _user_facts(image: dict[str, Any]) -> list[Fact]:
    user_id = str(image["id"])
    created_day = india_day(str(image["created_at"]))
    facts = [Fact(f"signup#{user_id}", created_day, {"signups": 1}, retractable=False)]
    days = {created_day}
    if image.get("last_signed_in_at"):
        days.add(india_day(str(image["last_signed_in_at"])))
    facts += [active_fact(day, user_id) for day in sorted(days)]
    return facts


def _active_day_facts(image: dict[str, Any]) -> list[Fact]:
    return [active_fact(str(image["day"]), str(image["user_id"]))]


def active_fact(day: str, user_id: str) -> Fact:
    return Fact(f"active#{day}#{user_id}", day, {"active_users": 1}, retractable=False)


def active_fact_from_id(fact_id: str) -> Fact | None:
    """An activity marker's fact again (the backfill recounts active users from their markers: a user
    item keeps only the last sign-in)."""
    if not fact_id.startswith("active#"):
        return None
    _, day, user_id = fact_id.split("#", 2)
    return active_fact(day, user_id)


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Fact]:
    """What a change to one item adds: the new image's facts the old one lacked, and the retraction of
    the old image's retractable facts the new one lacks (the same item: a put over another booking's
    item is a new booking, whose predecessor's history stays counted)."""
    before = {fact.id: fact for fact in facts_of(old)}
    after = {fact.id: fact for fact in facts_of(new)}
    added = [fact for fact_id, fact in after.items() if fact_id not in before]
    same_item = bool(old) and bool(new) and old.get("id") == new.get("id")
    taken_back = [
        fact.retraction()
        for fact_id, fact in before.items()
        if same_item and fact.retractable and fact_id not in after
    ]
    return added + taken_back
