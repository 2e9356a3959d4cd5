"""Item models of the single table. `entity` tells the item type (and drives stream filters)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


def _open_index(
    name: str, sort_attribute: UnicodeAttribute | NumberAttribute
) -> type[GlobalSecondaryIndex[Any]]:
    """A sparse discovery index: only bookable sessions carry `open`; one index per sort order."""

    class Meta:
        index_name = name
        projection = AllProjection()

    attributes = {
        "Meta": Meta,
        "open": UnicodeAttribute(hash_key=True),
        sort_attribute.attr_name: sort_attribute,
    }
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attributes)


OpenByStart = _open_index("open_by_start", UnicodeAttribute(range_key=True, attr_name="starts_at"))
OpenByPrice = _open_index("open_by_price", NumberAttribute(range_key=True, attr_name="price_paise"))
OpenByRating = _open_index("open_by_rating", NumberAttribute(range_key=True, attr_name="mentor_rating"))
OpenByPopularity = _open_index(
    "open_by_popularity", NumberAttribute(range_key=True, attr_name="booked_count")
)


class BaseItem(Model):
    class Meta:
        table_name = "unbound"  # peerlearn.store.bind() sets the real name at cold start
        region = "ap-south-1"
        host: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    ttl = NumberAttribute(null=True)  # epoch seconds; DynamoDB deletes the item some time after

    @classmethod
    def upsert_actions(cls, actions: list[Any]) -> list[Any]:
        """Update actions that may create the item (ADD on a missing item): they must also write its
        type, or polymorphic reads (batch gets of mixed items) can't tell what it is."""
        return [cls.entity.set(cls), *actions]


class RatingTotals:
    """Rating aggregates kept on sessions and on mentors: sum, count and the 1-5 distribution."""

    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    rating_1 = NumberAttribute(default=0)
    rating_2 = NumberAttribute(default=0)
    rating_3 = NumberAttribute(default=0)
    rating_4 = NumberAttribute(default=0)
    rating_5 = NumberAttribute(default=0)


class UserItem(BaseItem, discriminator="USER"):
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    email_verified = BooleanAttribute(default=False)
    banned = BooleanAttribute(default=False)
    headline = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    skills = ListAttribute(of=UnicodeAttribute, default=list)
    interests = ListAttribute(of=UnicodeAttribute, default=list)
    languages = ListAttribute(of=UnicodeAttribute, default=list)
    expertise = ListAttribute(of=UnicodeAttribute, default=list)
    timezone = UnicodeAttribute(default="Asia/Kolkata")
    avatar_key = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Access tokens carry the version they were issued under (claim `ver`); a password change, reset
    # or ban adds 1, so every earlier token is refused exactly (the old `sessions_valid_after` epoch
    # second let a token from the same second survive; items that still carry it ignore it).
    token_version = NumberAttribute(default=0)
    search_text = UnicodeAttribute(null=True)  # lower-cased name and email, for the admins' search
    ban_reason = UnicodeAttribute(null=True)
    banned_at = UnicodeAttribute(null=True)
    banned_by = UnicodeAttribute(null=True)  # the admin's id
    unban_reason = UnicodeAttribute(null=True)
    unbanned_at = UnicodeAttribute(null=True)
    unbanned_by = UnicodeAttribute(null=True)
    sign_in_count = NumberAttribute(default=0)  # successful sign-ins: the first one is greeted differently
    last_signed_in_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_role = Gsi1()


class EmailClaimItem(BaseItem, discriminator="EMAIL"):
    """Makes an email address unique: written in the same transaction as the user."""

    user_id = UnicodeAttribute()


class RefreshFamilyItem(BaseItem, discriminator="REFRESH"):
    """One signed-in device: the hash of its current refresh token; older tokens are reuse."""

    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rotated_at = UnicodeAttribute()
    expires_at = NumberAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)


class OneTimeTokenItem(BaseItem, discriminator="TOKEN"):
    """Exists while an emailed link is unused; consuming the link deletes it (conditionally)."""

    purpose = UnicodeAttribute()
    user_id = UnicodeAttribute()
    expires_at = NumberAttribute()


class RateWindowItem(BaseItem, discriminator="RATE"):
    hits = NumberAttribute(default=0)  # not "count": that would hide Model.count()


class GuardItem(BaseItem, discriminator="GUARD"):
    """Failed attempts of one subject (an account, a device) and when the next attempt may come."""

    failures = NumberAttribute(default=0)
    next_attempt_at = NumberAttribute(default=0)  # epoch seconds


class ProcessedEventItem(BaseItem, discriminator="PROCESSED"):
    """Marks a stream record as handled so a redelivered batch does nothing twice."""


class SessionItem(RatingTotals, BaseItem, discriminator="SESSION"):
    """A mentor's offering. Times are UTC ISO strings ("2026-12-01T13:00:00Z") that sort as text."""

    id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    mentor_name = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    tag_keys = ListAttribute(of=UnicodeAttribute, default=list)  # lower-cased tags, for filtering
    search_text = UnicodeAttribute(default="")  # lower-cased title, description and tags
    level = UnicodeAttribute()
    language = UnicodeAttribute()
    language_key = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    timezone = UnicodeAttribute()
    capacity = NumberAttribute()
    seats_left = NumberAttribute()
    booked_count = NumberAttribute(default=0)  # live bookings: held + confirmed (+ completed)
    price_paise = NumberAttribute()
    early_join_minutes = NumberAttribute(default=10)
    status = UnicodeAttribute(default="scheduled")
    open = UnicodeAttribute(null=True)  # "OPEN" while bookable: puts the session in the discovery indexes
    mentor_rating = NumberAttribute(default=0)  # the mentor's average x 100, for the rating sort
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # LIVE while live, so a job can complete overdue sessions
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute()  # MENTOR#<id>
    gsi2sk = UnicodeAttribute()  # <starts_at>#<id>
    by_live = Gsi1()
    by_mentor = Gsi2()
    open_by_start = OpenByStart()
    open_by_price = OpenByPrice()
    open_by_rating = OpenByRating()
    open_by_popularity = OpenByPopularity()


class BookingItem(BaseItem, discriminator="BOOKING"):
    """A learner's seat: one item per (session, learner), so a learner holds at most one booking."""

    id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    learner_name = UnicodeAttribute(null=True)  # when known at booking; profiles have the current one
    mentor_id = UnicodeAttribute()
    mentor_name = UnicodeAttribute()
    session_title = UnicodeAttribute()
    session_starts_at = UnicodeAttribute()
    session_ends_at = UnicodeAttribute()
    status = UnicodeAttribute()
    price_paise = NumberAttribute()
    hold_expires_at = NumberAttribute(null=True)  # epoch seconds while held
    offered_from_waitlist = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    cancelled_at = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # HOLD while held: the expiry job's index
    gsi1sk = UnicodeAttribute(null=True)  # <hold_expires_at, 12 digits>#<session>#<learner>
    gsi2pk = UnicodeAttribute()  # LEARNER#<id>
    gsi2sk = UnicodeAttribute()  # <starts_at>#<session id>
    by_hold = Gsi1()
    by_learner = Gsi2()


class WaitlistItem(BaseItem, discriminator="WAITLIST"):
    learner_id = UnicodeAttribute()
    learner_name = UnicodeAttribute(null=True)
    joined_at = UnicodeAttribute()  # a sortable id: the order of the queue


class ReviewItem(BaseItem, discriminator="REVIEW"):
    session_id = UnicodeAttribute()
    session_title = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    learner_name = UnicodeAttribute()
    rating = NumberAttribute()
    text = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)  # bumped on each edit; aggregates apply each version once
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    reply_text = UnicodeAttribute(null=True)
    reply_at = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute()  # MENTOR_REVIEWS#<mentor id>
    gsi2sk = UnicodeAttribute()  # <created_at>#<session>#<learner>
    by_mentor = Gsi2()


class MentorStatsItem(RatingTotals, BaseItem, discriminator="MENTOR_STATS"):
    sessions_taught = NumberAttribute(default=0)


class NotificationItem(BaseItem, discriminator="NOTIFICATION"):
    """An in-app message for one person (delivery by push and email comes with notifications)."""

    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    read = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


# ---------------------------------------------------------------- payments (Razorpay)
class OrderItem(BaseItem, discriminator="RZP_ORDER"):
    """A Razorpay order we made, for a booking's hold or a gift (`purpose`, `reference`)."""

    order_id = UnicodeAttribute()
    purpose = UnicodeAttribute()  # "booking" | "gift"
    reference = UnicodeAttribute()  # the booking id (one per hold) or the gift id: the order's receipt
    session_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    currency = UnicodeAttribute(default="INR")
    status = UnicodeAttribute(default="created")  # created -> paid (a payment was credited to it)
    payment_id = UnicodeAttribute(null=True)  # the one payment credited
    last_error = UnicodeAttribute(null=True)  # the last failed attempt's reason, for the learner
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # ORDERS_OPEN until paid: the recovery job's index
    gsi1sk = UnicodeAttribute(null=True)  # <created epoch, 12 digits>#<order id>
    open_orders = Gsi1()


class OrderRefItem(BaseItem, discriminator="RZP_ORDER_REF"):
    """One order per booking hold or gift: written with the order, on condition it is the first."""

    order_id = UnicodeAttribute()


class PaymentItem(BaseItem, discriminator="PAYMENT"):
    """A captured payment we took, written once (the confirmation's idempotency guard)."""

    payment_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    reference = UnicodeAttribute()
    session_id = UnicodeAttribute()
    session_title = UnicodeAttribute(default="")
    learner_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    currency = UnicodeAttribute(default="INR")
    method = UnicodeAttribute(null=True)
    # booking_confirmed | gift_paid | refund_no_seat | refund_duplicate
    outcome = UnicodeAttribute()
    status = UnicodeAttribute(default="captured")  # captured | partially_refunded | refunded
    refunded_paise = NumberAttribute(default=0)  # refunds Razorpay processed
    refund_requested_paise = NumberAttribute(default=0)  # refunds asked for (processed or not)
    refund_count = NumberAttribute(default=0)
    platform_fee_paise = NumberAttribute()
    gst_paise = NumberAttribute()
    tcs_paise = NumberAttribute()
    tds_paise = NumberAttribute()
    mentor_share_paise = NumberAttribute()
    maturity_key = UnicodeAttribute(null=True)  # the mentor's share waiting to mature, if any
    maturity_paise = NumberAttribute(default=0)  # how much of it (less after a partial refund)
    matures_at = NumberAttribute(null=True)  # epoch seconds: the session's end + the dispute window
    receipt_number = UnicodeAttribute(null=True)
    captured_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # PAYMENTS
    gsi1sk = UnicodeAttribute()  # <captured_at>#<payment id>
    gsi2pk = UnicodeAttribute()  # PAYER#<learner id>
    gsi2sk = UnicodeAttribute()  # <captured_at>#<payment id>
    all_payments = Gsi1()
    by_payer = Gsi2()


class RefundItem(BaseItem, discriminator="REFUND"):
    """A refund we asked for, under its payment, keyed by our idempotency key (also Razorpay's)."""

    refund_key = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    refund_id = UnicodeAttribute(null=True)  # Razorpay's, once it accepted the request
    amount_paise = NumberAttribute()
    kind = UnicodeAttribute()  # policy | no_seat | duplicate | admin
    reason = UnicodeAttribute()
    requested_by = UnicodeAttribute(default="system")
    status = UnicodeAttribute(default="requested")  # requested -> pending -> processed | failed
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    gateway_key = (
        UnicodeAttribute()
    )  # Razorpay's idempotency key: refund_key, then a new one per retry of a failed refund
    mentor_part_paise = NumberAttribute(default=0)  # what the refund takes back from the mentor
    from_available = BooleanAttribute(default=False)  # the share had matured: taken back from available
    credit_note_number = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # REFUNDS_DUE while requested or failed: the retry job's index
    gsi1sk = UnicodeAttribute(null=True)  # <created_at>#<refund key>
    gsi2pk = UnicodeAttribute()  # REFUNDS: every refund, for admins
    gsi2sk = UnicodeAttribute()  # <created_at>#<refund key>
    due_refunds = Gsi1()
    all_refunds = Gsi2()


class GiftItem(BaseItem, discriminator="GIFT"):
    """A learner's gift to the mentor during a live session, under the session (the room announces
    paid ones: a MODIFY to status "paid" on the stream)."""

    gift_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    learner_name = UnicodeAttribute(null=True)
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    message = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="pending")  # pending -> paid
    payment_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)


class RazorpayEventItem(BaseItem, discriminator="RZP_EVENT"):
    """A webhook event exactly as Razorpay signed it, stored once by its event id; the stream
    processes it."""

    event_id = UnicodeAttribute()
    event = UnicodeAttribute()
    body = UnicodeAttribute()  # the raw body: the signed bytes, never re-serialised
    received_at = UnicodeAttribute()


# ---------------------------------------------------------------- ledger (peerlearn.ledger)
class LedgerLineMap(MapAttribute[str, Any]):
    account = UnicodeAttribute()
    debit_paise = NumberAttribute(default=0)
    credit_paise = NumberAttribute(default=0)


class LedgerEntryItem(BaseItem, discriminator="LEDGER_ENTRY"):
    """One journal entry, append-only: `pk = LEDGER#<idempotency key>`, written once."""

    key = UnicodeAttribute()
    kind = UnicodeAttribute()
    lines = ListAttribute(of=LedgerLineMap)
    refs = MapAttribute[str, Any](default=dict)
    at = UnicodeAttribute()  # UTC ISO
    gsi2pk = UnicodeAttribute(null=True)  # MENTOR_LEDGER#<id> when a mentor's account moves
    gsi2sk = UnicodeAttribute(null=True)  # <at>#<key>
    by_mentor = Gsi2()


class LedgerBalanceItem(BaseItem, discriminator="LEDGER_BALANCE"):
    """An account's running totals, updated in the transaction of every entry that moves it."""

    account = UnicodeAttribute()
    debits_paise = NumberAttribute(default=0)
    credits_paise = NumberAttribute(default=0)
    balance_paise = NumberAttribute(default=0)  # credit-normal: credits - debits


class MaturityItem(BaseItem, discriminator="MATURITY"):
    """A mentor's pending earning waiting for its dispute window; deleted when it matures."""

    key = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    due_at = NumberAttribute()  # epoch seconds
    refs = MapAttribute[str, Any](default=dict)
    gsi1pk = UnicodeAttribute()  # MATURES
    gsi1sk = UnicodeAttribute()  # <due_at, 10 digits>#<key>
    by_due = Gsi1()


class DocumentCounterItem(BaseItem, discriminator="DOC_COUNTER"):
    """The last number issued in one series and financial year (gapless: set only to last + 1)."""

    last_number = NumberAttribute(null=True)


class DocumentNumberItem(BaseItem, discriminator="DOC_NUMBER"):
    """The number a document got, claimed once per (series, what it documents)."""

    number = UnicodeAttribute()
    for_key = UnicodeAttribute()
    issued_at = UnicodeAttribute()


ALL_MODELS: tuple[type[BaseItem], ...] = (
    BaseItem,
    UserItem,
    EmailClaimItem,
    RefreshFamilyItem,
    OneTimeTokenItem,
    RateWindowItem,
    GuardItem,
    ProcessedEventItem,
    SessionItem,
    BookingItem,
    WaitlistItem,
    ReviewItem,
    MentorStatsItem,
    NotificationItem,
    OrderItem,
    OrderRefItem,
    PaymentItem,
    RefundItem,
    GiftItem,
    RazorpayEventItem,
    LedgerEntryItem,
    LedgerBalanceItem,
    MaturityItem,
    DocumentCounterItem,
    DocumentNumberItem,
)
