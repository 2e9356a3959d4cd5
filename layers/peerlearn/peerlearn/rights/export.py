"""Everything the platform holds about one person, as one JSON document they download.

Access patterns, Queries and GetItems only (the export reads much, so it is rate-limited):
| what                                | key condition                               | index |
|-------------------------------------|---------------------------------------------|-------|
| profile, notifications, preferences,| pk = USER#<id>                              | table |
|   push devices, sign-ins, taste,    |                                             |       |
|   payout account                    |                                             |       |
| bookings                            | gsi2pk = LEARNER#<id>                       | gsi2  |
| reviews given                       | BatchGet SESSION#<booked> / REVIEW#<id>     | table |
| gifts given                         | SESSION#<booked>, begins_with GIFT# (filter)| table |
| sessions taught                     | gsi2pk = MENTOR#<id>                        | gsi2  |
| reviews received                    | gsi2pk = MENTOR_REVIEWS#<id>                | gsi2  |
| payments (with receipt numbers)     | gsi2pk = PAYER#<id>                         | gsi2  |
|   and their refunds                 | pk = PAYMENT#<id>, begins_with(sk, REFUND#) | table |
| earnings (ledger entries)           | gsi2pk = MENTOR_LEDGER#<id>                 | gsi2  |
| withdrawals                         | gsi2pk = MENTOR_WITHDRAWALS#<id>            | gsi2  |
| data requests                       | gsi2pk = USER_DATAREQUESTS#<id>             | gsi2  |

Secrets never leave: password hashes, refresh-token hashes, push endpoints and keys (capability URLs),
sealed bank details and their keys; nor storage plumbing (keys, index attributes, TTLs).
"""

from __future__ import annotations

import json
from typing import Any

from peerlearn import clock, ratelimit
from peerlearn.accounts.lookups import get_user
from peerlearn.errors import NotFound, TooManyRequests
from peerlearn.rights import requests
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import (
    GIFT_PREFIX,
    REFUND_PREFIX,
    learner_bookings_pk,
    mentor_ledger_pk,
    mentor_reviews_pk,
    mentor_sessions_pk,
    mentor_withdrawals_gsi2pk,
    payer_pk,
    payment_pk,
    review_sk,
    session_pk,
    user_pk,
)
from peerlearn.store.models import (
    BookingItem,
    GiftItem,
    LedgerEntryItem,
    NotificationItem,
    PaymentItem,
    PayoutAccountItem,
    PushSubscriptionItem,
    RefreshFamilyItem,
    RefundItem,
    ReviewItem,
    SessionItem,
    UserItem,
    WithdrawalItem,
)
from peerlearn.store.notify import NotifyPrefsItem
from peerlearn.store.recommend import TasteItem

# Three downloads an hour: enough to retry a failed one, not enough to make the table pay for a loop.
EXPORT_PER_USER = ratelimit.Limit("data-export", max_hits=3, window_seconds=3600)

SECRET_FIELDS = frozenset(
    {
        "password_hash",
        "token_hash",
        "previous_hash",
        "token_version",
        "endpoint",
        "p256dh",
        "auth",
        "sealed_details",
        "wrapped_key",
        "key_source",
    }
)
PLUMBING_FIELDS = frozenset(
    {"pk", "sk", "entity", "ttl", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "open", "search_text"}
    # a completed session's copy of its bookings' outcomes, kept for the dashboard: other people's ids
    | {"attended_ids", "no_show_ids", "attendance_kept"}
)
# Items of the person's own partition, by type -> the export's section. Types not named here are
# plumbing (open connections, unread counters, attempt guards) and stay out.
_SECTIONS: dict[type[BaseItem], str] = {
    UserItem: "profile",
    NotificationItem: "notifications",
    NotifyPrefsItem: "notification_preferences",
    PushSubscriptionItem: "push_devices",
    RefreshFamilyItem: "sign_ins",
    PayoutAccountItem: "payout_account",
    TasteItem: "recommendation_history",
}


def plain(item: BaseItem) -> dict[str, Any]:
    """The item's own fields, without secrets or storage plumbing."""
    values = item.to_simple_dict(force=True)  # force: sets become lists (JSON has no sets)
    return {name: value for name, value in values.items() if name not in SECRET_FIELDS | PLUMBING_FIELDS}


def _reviews_given(user_id: str, bookings: list[BookingItem]) -> list[dict[str, Any]]:
    keys = sorted({(session_pk(b.session_id), review_sk(user_id)) for b in bookings})
    return [plain(review) for review in ReviewItem.batch_get(keys)] if keys else []


def _gifts_given(user_id: str, bookings: list[BookingItem]) -> list[dict[str, Any]]:
    """Gifts are sent during a session they booked: a Query on each such session's gifts."""
    gifts: list[GiftItem] = []
    for session_id in sorted({b.session_id for b in bookings}):
        gifts += GiftItem.query(
            session_pk(session_id),
            GiftItem.sk.startswith(GIFT_PREFIX),
            filter_condition=GiftItem.learner_id == user_id,
        )
    return [plain(gift) for gift in gifts]


def collect(user_id: str) -> dict[str, Any]:
    """The document itself (no rate limit, no record): what `export` sends."""
    user = get_user(user_id, consistent=True)
    if user.deleted_at:
        raise NotFound("No such user.")
    own: dict[str, Any] = {section: [] for section in _SECTIONS.values()}
    for item in BaseItem.query(user_pk(user_id)):
        section = _SECTIONS.get(type(item))
        if section:
            own[section].append(plain(item))
    bookings = list(BookingItem.by_learner.query(learner_bookings_pk(user_id)))
    payments = []
    for payment in PaymentItem.by_payer.query(payer_pk(user_id)):
        refunds = RefundItem.query(payment_pk(payment.payment_id), RefundItem.sk.startswith(REFUND_PREFIX))
        payments.append({**plain(payment), "refunds": [plain(refund) for refund in refunds]})
    [profile] = own.pop("profile") or [plain(user)]
    [payout_account] = own.pop("payout_account") or [None]
    return {
        "exported_at": clock.iso(clock.now_seconds()),
        "user_id": user_id,
        "profile": profile,
        **own,
        "payout_account": payout_account,
        "bookings": [plain(booking) for booking in bookings],
        "reviews_given": _reviews_given(user_id, bookings),
        "gifts_given": _gifts_given(user_id, bookings),
        "sessions_taught": [plain(s) for s in SessionItem.by_mentor.query(mentor_sessions_pk(user_id))],
        "reviews_received": [plain(r) for r in ReviewItem.by_mentor.query(mentor_reviews_pk(user_id))],
        "payments": payments,
        "earnings": [plain(e) for e in LedgerEntryItem.by_mentor.query(mentor_ledger_pk(user_id))],
        "withdrawals": [plain(w) for w in WithdrawalItem.by_mentor.query(mentor_withdrawals_gsi2pk(user_id))],
        "data_requests": [requests.to_out(r).model_dump() for r in requests.of_user(user_id)],
    }


def export(user_id: str) -> tuple[str, str]:
    """(file name, JSON text) of everything about `user_id`, counted against their hourly allowance
    and recorded as a data request (the record is in the download it comes with)."""
    now = clock.now_seconds()
    wait = ratelimit.acquire(EXPORT_PER_USER, user_id, now)
    if wait:
        raise TooManyRequests(
            f"You can download your data {EXPORT_PER_USER.max_hits} times an hour.",
            retry_after_seconds=wait,
            retry_at=clock.iso(now + wait),
            code="too_many_exports",
        )
    requests.record(user_id, "export")
    document = collect(user_id)
    return f"peerlearn-data-{clock.iso(now)[:10]}.json", json.dumps(document, indent=2, sort_keys=True)
