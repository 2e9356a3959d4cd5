"""What PeerLearn notifies people about: each kind of notification, the preference category it
belongs to, and which channels it uses unless the person chose otherwise.

Categories are what people see on their notification settings page and what an email's
unsubscribe link names; kinds are finer (a category "bookings" covers confirmed, moved and
cancelled). Account categories (payments, withdrawals) are not unsubscribable by email: receipts
and money going in or out are records people need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Channel = Literal["in_app", "email", "push"]
CHANNELS: tuple[Channel, ...] = ("in_app", "email", "push")


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    description: str
    defaults: frozenset[Channel]  # channels on until the person turns them off
    account: bool = False  # email always on (and in-app): receipts and money records


CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        Category(
            "bookings",
            "Bookings",
            "A booking confirmed, a session moved or cancelled",
            frozenset({"in_app", "email", "push"}),
        ),
        Category(
            "reminders",
            "Reminders",
            "24 hours, 1 hour and 10 minutes before a session you teach or attend",
            frozenset({"in_app", "email", "push"}),
        ),
        Category(
            "waitlist",
            "Waitlist",
            "A seat offered to you from a waitlist, and when the offer runs out",
            frozenset({"in_app", "email", "push"}),
        ),
        Category(
            "payments",
            "Payments and refunds",
            "Receipts, refunds issued or failed",
            frozenset({"in_app", "email", "push"}),
            account=True,
        ),
        Category(
            "room",
            "Waiting room",
            "A learner is waiting in your session's waiting room (mentors)",
            frozenset({"in_app", "push"}),
        ),
        Category(
            "reviews",
            "Reviews",
            "A new review of your session, or a mentor's reply to yours",
            frozenset({"in_app", "email"}),
        ),
        Category(
            "gifts",
            "Gifts",
            "A learner sent you a gift during a session (mentors)",
            frozenset({"in_app", "email", "push"}),
        ),
        Category(
            "withdrawals",
            "Withdrawals",
            "A withdrawal approved, paid or failed (mentors)",
            frozenset({"in_app", "email", "push"}),
            account=True,
        ),
        Category(
            "announcements",
            "Announcements",
            "News from the PeerLearn team",
            frozenset({"in_app", "email", "push"}),
        ),
    )
}

# kind -> category name. A kind is what a notification record says it is (`NotificationItem.kind`).
KINDS: dict[str, str] = {
    "booking_confirmed": "bookings",
    "session_moved": "bookings",
    "session_cancelled": "bookings",
    "session_reminder": "reminders",
    "waitlist_offer": "waitlist",
    "waitlist_offer_expired": "waitlist",
    "payment_receipt": "payments",
    "refund_issued": "payments",
    "refund_failed": "payments",
    "waiting_room": "room",
    "review_new": "reviews",
    "review_reply": "reviews",
    "gift_received": "gifts",
    "withdrawal_approved": "withdrawals",
    "withdrawal_paid": "withdrawals",
    "withdrawal_failed": "withdrawals",  # also a withdrawal an admin didn't approve
    # Where payouts go changed: a security notice, so in the account category (email always on).
    "payout_account_changed": "withdrawals",
    "broadcast": "announcements",
}


def category_of(kind: str) -> Category:
    """The category of a notification kind; KeyError for an unknown kind (a bug, not input)."""
    return CATEGORIES[KINDS[kind]]
