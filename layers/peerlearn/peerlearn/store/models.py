"""Item models of the single table. `entity` tells the item type (and drives stream filters).

The base, indexes and shared attributes are in `store.base`; the money's items in `store.money`.
Both are re-exported here, so `from peerlearn.store.models import ...` finds every item type.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from peerlearn.store.analytics import ANALYTICS_MODELS
from peerlearn.store.audit import AUDIT_MODELS
from peerlearn.store.base import (
    BaseItem,
    Gsi1,
    Gsi2,
    OpenByPopularity,
    OpenByPrice,
    OpenByRating,
    OpenByStart,
    RatingTotals,
)
from peerlearn.store.live import (  # re-exported: every item type is found here
    LIVE_MODELS,
)
from peerlearn.store.live import AttendanceItem as AttendanceItem
from peerlearn.store.live import ChannelConnectionItem as ChannelConnectionItem
from peerlearn.store.live import ChannelTicketItem as ChannelTicketItem
from peerlearn.store.live import ChatAttachmentMap as ChatAttachmentMap
from peerlearn.store.live import ChatMessageItem as ChatMessageItem
from peerlearn.store.live import ConnectionItem as ConnectionItem
from peerlearn.store.live import ParticipantItem as ParticipantItem
from peerlearn.store.live import RoomStateItem as RoomStateItem
from peerlearn.store.live import RoomTicketItem as RoomTicketItem
from peerlearn.store.live import UserChannelItem as UserChannelItem
from peerlearn.store.money import (
    DocumentCounterItem,
    DocumentNumberItem,
    GiftItem,
    LedgerBalanceItem,
    LedgerEntryItem,
    MaturityItem,
    OrderItem,
    OrderRefItem,
    PaymentItem,
    PayoutAccountItem,
    RazorpayEventItem,
    ReconciliationItem,
    RefundItem,
    WithdrawalItem,
)
from peerlearn.store.notices import BroadcastItem, ReminderItem
from peerlearn.store.notify import NOTIFY_MODELS
from peerlearn.store.push import PUSH_MODELS
from peerlearn.store.push import PushSubscriptionItem as PushSubscriptionItem
from peerlearn.store.recommend import RECOMMEND_MODELS
from peerlearn.store.rights import RIGHTS_MODELS
from peerlearn.store.room_media import RecordingItem, RoomFileItem
from peerlearn.store.stats import STATS_MODELS


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
    # Deactivated by an admin (peerlearn.accounts.admin): like a ban it refuses sign-in and ends tokens,
    # but the person is told their account is deactivated, not suspended.
    deactivated = BooleanAttribute(default=False)
    deactivated_at = UnicodeAttribute(null=True)
    deactivated_by = UnicodeAttribute(null=True)
    deactivation_reason = UnicodeAttribute(null=True)
    sign_in_count = NumberAttribute(default=0)  # successful sign-ins: the first one is greeted differently
    last_signed_in_at = UnicodeAttribute(null=True)
    # Set when the person deleted their account (peerlearn.rights): the item stays, erased, so the
    # ledger's and bookings' ids still resolve, but nobody can sign in as it or notify it.
    deleted_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_role = Gsi1()


class EmailClaimItem(BaseItem, discriminator="EMAIL"):
    """Makes an email address unique: written in the same transaction as the user."""

    user_id = UnicodeAttribute()


class RefreshFamilyItem(BaseItem, discriminator="REFRESH"):
    """One signed-in device: the hash of its current refresh token; older tokens are reuse, except the
    one just rotated out, for a few seconds (`previous_hash` until `previous_until`: see signins.refresh)."""

    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    previous_hash = UnicodeAttribute(null=True)
    previous_until = NumberAttribute(null=True)
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
    cancel_reason = UnicodeAttribute(null=True)  # "mentor_no_show" when the no-show job cancelled it
    # Who came and who didn't, kept by the stream from the bookings (peerlearn.dashboards.attendance)
    # once the session completes, so the mentor's performance reads sessions, not their bookings.
    # `attendance_kept` is set at completion: a session completed before the sets existed has none.
    attendance_kept = BooleanAttribute(null=True)
    attended_ids = UnicodeSetAttribute(null=True)  # learners with a completed booking
    no_show_ids = UnicodeSetAttribute(null=True)  # learners marked as not having come
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


class SessionFlagItem(BaseItem, discriminator="SESSION_FLAG"):
    """Something about a session that deserves an admin's look (pk `SESSION_FLAG#<session id>`, sk
    `FLAG#<reason>`): one item per reason, written once. While open it sits in gsi1 `SESSION_FLAGS`
    (gsi1sk `<flagged_at>#<session id>#<reason>`); resolving it takes it out of that list."""

    session_id = UnicodeAttribute()
    reason = UnicodeAttribute()  # mentor_no_show | learner_removed | low_rating
    detail = UnicodeAttribute(default="")
    flagged_at = UnicodeAttribute()
    resolved_at = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # SESSION_FLAGS while open
    gsi1sk = UnicodeAttribute(null=True)
    open_flags = Gsi1()


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
    confirmed_at = UnicodeAttribute(null=True)  # when it became a seat (reminders due before it are skipped)
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
    """An in-app message for one person (pk `USER#<id>`, sk `NOTIF#<sortable id>`: newest first
    is a Query backwards). Read when `read`, or when its id is at or below the person's
    `NotifyInboxItem.read_through` (mark all read)."""

    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute(null=True)  # peerlearn.notify.catalog; None for kinds it doesn't know
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    read = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


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
    SessionFlagItem,
    BookingItem,
    WaitlistItem,
    ReviewItem,
    MentorStatsItem,
    NotificationItem,
    LedgerEntryItem,
    LedgerBalanceItem,
    MaturityItem,
    DocumentCounterItem,
    DocumentNumberItem,
    OrderItem,
    OrderRefItem,
    PaymentItem,
    RefundItem,
    GiftItem,
    RazorpayEventItem,
    ReconciliationItem,
    PayoutAccountItem,
    WithdrawalItem,
    RecordingItem,
    RoomFileItem,
    ReminderItem,
    BroadcastItem,
    *LIVE_MODELS,
    *NOTIFY_MODELS,
    *PUSH_MODELS,
    *RECOMMEND_MODELS,
    *RIGHTS_MODELS,
    *AUDIT_MODELS,
    *ANALYTICS_MODELS,
    *STATS_MODELS,
)
