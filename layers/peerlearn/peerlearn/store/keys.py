"""Key builders: the only place item keys are spelled. Parse with removeprefix, never lstrip."""

from __future__ import annotations

USER_PROFILE_SK = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def user_id_from_pk(pk: str) -> str:
    return pk.removeprefix("USER#")


def email_pk(email: str) -> str:
    return f"EMAIL#{email}"


def email_skeleton_pk(skeleton: str) -> str:
    """Claims an address's look-alike skeleton (Unicode TS #39), beside the claim on the address."""
    return f"EMAIL_SKELETON#{skeleton}"


def refresh_sk(family_id: str) -> str:
    return f"REFRESH#{family_id}"


REFRESH_PREFIX = "REFRESH#"


def one_time_token_pk(nonce: str) -> str:
    return f"TOKEN#{nonce}"


def rate_pk(scope: str, subject: str) -> str:
    return f"RATE#{scope}#{subject}"


def guard_pk(scope: str, subject: str) -> str:
    return f"GUARD#{scope}#{subject}"


GUARD_SK = "GUARD"


def processed_pk(consumer: str, event_id: str) -> str:
    return f"PROCESSED#{consumer}#{event_id}"


def role_gsi1pk(role: str) -> str:
    return f"ROLE#{role}"


# ---------------------------------------------------------------- sessions and bookings
SESSION_SK = "SESSION"
BOOKING_PREFIX = "BOOKING#"
WAITLIST_PREFIX = "WAITLIST#"
REVIEW_PREFIX = "REVIEW#"
STATS_SK = "STATS"
OPEN = "OPEN"
LIVE = "LIVE"
ENDED = "ENDED"  # gsi1pk of sessions that ended (completed, or cancelled as a mentor no-show)
SESSION_FLAGS = "SESSION_FLAGS"  # gsi1pk of sessions flagged for an admin's look, still open
HOLD = "HOLD"


def session_pk(session_id: str) -> str:
    return f"SESSION#{session_id}"


def booking_sk(learner_id: str) -> str:
    return f"{BOOKING_PREFIX}{learner_id}"


def session_flag_pk(session_id: str) -> str:
    """A session's flags (peerlearn.catalog.flags), one item per reason, beside the session's partition."""
    return f"SESSION_FLAG#{session_id}"


def session_flag_sk(reason: str) -> str:
    return f"FLAG#{reason}"


def waitlist_sk(learner_id: str) -> str:
    return f"{WAITLIST_PREFIX}{learner_id}"


def review_sk(learner_id: str) -> str:
    return f"{REVIEW_PREFIX}{learner_id}"


def mentor_sessions_pk(mentor_id: str) -> str:
    return f"MENTOR#{mentor_id}"


def mentor_reviews_pk(mentor_id: str) -> str:
    return f"MENTOR_REVIEWS#{mentor_id}"


def learner_bookings_pk(learner_id: str) -> str:
    return f"LEARNER#{learner_id}"


def hold_sk(expires_at: int, session_id: str, learner_id: str) -> str:
    return f"{expires_at:012d}#{session_id}#{learner_id}"


def notification_sk(notification_id: str) -> str:
    return f"NOTIF#{notification_id}"


# ---------------------------------------------------------------- ledger
LEDGER_ENTRY_SK = "ENTRY"
MATURITY_SK = "MATURITY"
MATURES = "MATURES"
MATURITY_HELD = "MATURITY_HELD"  # earnings the job would not move: for a person to look at
DOC_COUNTER_SK = "COUNTER"
DOC_NUMBER_SK = "DOC"


def ledger_entry_pk(key: str) -> str:
    return f"LEDGER#{key}"


def balance_pk(account: str) -> str:
    return f"BALANCE#{account}"


def balance_sk(shard: int) -> str:
    """One of an account's total items: 0 for a mentor's accounts, 0..n-1 for the platform's."""
    return f"BALANCE#{shard}"


def mentor_ledger_pk(mentor_id: str) -> str:
    return f"MENTOR_LEDGER#{mentor_id}"


def mentor_ledger_sk(at: str, key: str) -> str:
    return f"{at}#{key}"


def maturity_pk(key: str) -> str:
    return f"MATURITY#{key}"


def maturity_sk(due_at: int, key: str) -> str:
    return f"{due_at:010d}#{key}"


def doc_counter_pk(series: str, financial_year: str) -> str:
    return f"DOC_SERIES#{series}#{financial_year}"


def doc_number_pk(series: str, for_key: str) -> str:
    return f"DOC#{series}#{for_key}"


# ---------------------------------------------------------------- payments (Razorpay)
ORDER_SK = "ORDER"
PAYMENT_SK = "PAYMENT"
REFUND_PREFIX = "REFUND#"
GIFT_PREFIX = "GIFT#"
EVENT_SK = "EVENT"
RECONCILIATION = "RECONCILIATION"  # pk of the last reconciliation report (sk LATEST)
LATEST = "LATEST"
ORDERS_OPEN = "ORDERS_OPEN"  # gsi1pk of orders not yet paid: the recovery job's index
PAYMENTS = "PAYMENTS"  # gsi1pk of every captured payment, newest last: the admins' list
REFUNDS_DUE = "REFUNDS_DUE"  # gsi1pk of refunds not yet accepted by Razorpay, or failed: retried
# gsi1pk of refunds Razorpay accepted and hasn't settled (gsi1sk = <last checked, 12 digits>#<key>):
# the job asks Razorpay about those whose webhook is overdue, so a lost one can't leave them pending
REFUNDS_PENDING = "REFUNDS_PENDING"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def order_for_pk(reference: str) -> str:
    """What an order was made for (a booking's hold id, a gift id): one order per reference."""
    return f"ORDER_FOR#{reference}"


def payment_pk(payment_id: str) -> str:
    return f"PAYMENT#{payment_id}"


def refund_sk(refund_key: str) -> str:
    return f"{REFUND_PREFIX}{refund_key}"


def payer_pk(user_id: str) -> str:
    return f"PAYER#{user_id}"


def gift_sk(gift_id: str) -> str:
    return f"{GIFT_PREFIX}{gift_id}"


def razorpay_event_pk(event_id: str) -> str:
    return f"RZP_EVENT#{event_id}"


# ---------------------------------------------------------------- mentor payouts
PAYOUT_ACCOUNT_SK = "PAYOUT_ACCOUNT"  # under user_pk(mentor_id)
WITHDRAWAL_SK = "WITHDRAWAL"


def withdrawal_pk(withdrawal_id: str) -> str:
    return f"WITHDRAWAL#{withdrawal_id}"


def withdrawals_by_status_gsi1pk(status: str) -> str:
    """The admins' lists: withdrawals by status, oldest first (gsi1sk = <requested_at>#<id>)."""
    return f"WITHDRAWALS#{status}"


def mentor_withdrawals_gsi2pk(mentor_id: str) -> str:
    """A mentor's own withdrawals, newest first (gsi2sk = <requested_at>#<id>)."""
    return f"MENTOR_WITHDRAWALS#{mentor_id}"


# ---------------------------------------------------------------- live rooms
TICKET_SK = "TICKET"
CONNECTION_SK = "CONN"
ROOM_STATE_SK = "STATE"
PEER_PREFIX = "PEER#"
ATTEND_PREFIX = "ATTEND#"
CHAT_PREFIX = "CHAT#"
ROOM_FILE_PREFIX = "FILE#"


def ticket_pk(ticket_hash: str) -> str:
    """A room ticket by the SHA-256 (hex) of its value: the table never holds a usable ticket."""
    return f"TICKET#{ticket_hash}"


def connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


# A user channel (peerlearn.notify.channel): its ticket shares the room tickets' partition scheme but
# not their sort key, so neither kind of ticket can be redeemed as the other.
CHANNEL_TICKET_SK = "CHANNEL_TICKET"
CHANNEL_PREFIX = "CHAN#"


def channel_sk(connection_id: str) -> str:
    """One open user-channel connection under its user's partition (`USER#<id>`)."""
    return f"{CHANNEL_PREFIX}{connection_id}"


# Every open user-channel connection is also in gsi1 under this key (gsi1sk <connected_at>#<id>): how
# many people have PeerLearn open now is one Query on it (peerlearn.notify.platform_stats).
OPEN_CHANNELS = "CHANNELS_OPEN"


def open_channel_gsi1sk(connected_at: int, connection_id: str) -> str:
    return f"{connected_at:012d}#{connection_id}"


# ---------------------------------------------------------------- live platform statistics (admins)
STATS_SUBSCRIBERS = "STATS_SUBSCRIBERS"  # pk of the admins' connections that asked for live statistics
STATS_PUSH = "STATS_PUSH"  # pk (sk LATEST) of the last push to them: the throttle


def stats_subscriber_sk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def room_pk(session_id: str) -> str:
    """A room's partition: its state, participants, attendance and chat (fan-out is one Query)."""
    return f"ROOM#{session_id}"


def session_id_from_room_pk(pk: str) -> str:
    return pk.removeprefix("ROOM#")


def peer_sk(user_id: str) -> str:
    return f"{PEER_PREFIX}{user_id}"


def attendance_prefix(user_id: str) -> str:
    return f"{ATTEND_PREFIX}{user_id}#"


def attendance_sk(user_id: str, joined_at_ms: int) -> str:
    return f"{attendance_prefix(user_id)}{joined_at_ms:013d}"


def chat_sk(sent_at_ms: int, message_id: str) -> str:
    return f"{CHAT_PREFIX}{sent_at_ms:013d}#{message_id}"


def room_file_sk(file_id: str) -> str:
    """A file shared in a room's chat (its item is written by the files API)."""
    return f"{ROOM_FILE_PREFIX}{file_id}"


# ---------------------------------------------------------------- live rooms: recordings and chat files
RECORDING_PREFIX = "REC#"
RECORDINGS_UPLOADING = "RECORDINGS_UPLOADING"  # gsi1pk of recordings not yet completed: the job's index


def recording_sk(recording_id: str) -> str:
    return f"{RECORDING_PREFIX}{recording_id}"


def recording_object_key(session_id: str, recording_id: str) -> str:
    return f"recordings/{session_id}/{recording_id}.webm"


def room_file_object_key(session_id: str, file_id: str) -> str:
    return f"room-files/{session_id}/{file_id}"


# ---------------------------------------------------------------- analytics (peerlearn.analytics)
FACT_SK = "FACT"
SEARCH_TERMS = "search_terms"  # the rollup "dimension" whose items hold a day's zero-result terms


def rollup_pk(dimension: str) -> str:
    """Every day's counters of one dimension (`all`, `tag`, `mentor`, `language`): a report is one Query."""
    return f"ROLLUP#{dimension}"


def rollup_sk(day: str, value: str) -> str:
    """`<YYYY-MM-DD, India's calendar day>#<dimension value>`: a date range is a `between` on it."""
    return f"{day}#{value}"


def fact_pk(fact_id: str) -> str:
    """A fact the rollups counted (`confirmed#<booking>`, `ledger#<entry key>`...): counted once."""
    return f"FACT#{fact_id}"
