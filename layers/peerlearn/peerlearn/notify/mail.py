"""Notification emails: an HTML + text version of every kind, with why it came and how to stop it.

Every kind has a call to action (the notice's link on the site), lines of its own from the notice's
data (when, how much, which rating), and a footer naming the category. Emails of a category people
may turn off carry the one-click unsubscribe headers (RFC 8058) and a visible unsubscribe link;
account emails (payments, withdrawals) carry neither. Everything from a notice is escaped.

The data keys the templates read (all strings, all optional: a missing or malformed one leaves its
line out): session_title, starts_at and previous_starts_at (ISO, shown in the recipient's timezone),
amount_paise, receipt_number, refund_id, reason, learner_name, mentor_name, from_name, rating (1-5),
utr; a waitlist offer's deadline is the notice's expires_at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerlearn.adapters.email import EmailMessage, EmailRejected
from peerlearn.config import Settings
from peerlearn.context import Context
from peerlearn.notify import catalog, preferences, suppression
from peerlearn.notify.notice import Notice
from peerlearn.notify.unsubscribe import unsubscribe_page_url, unsubscribe_url
from peerlearn.store.models import UserItem

logger = logging.getLogger(__name__)

SETTINGS_PATH = "/settings/notifications"

Line = Callable[[Notice, ZoneInfo], "str | None"]


@dataclass(frozen=True)
class Template:
    button: str  # the call to action's words
    lines: tuple[Line, ...] = ()  # kind-specific facts, each a short sentence (None: not known)


# ---------------------------------------------------------------- facts from a notice's data
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Kolkata")


def local_time(iso: str, zone: ZoneInfo) -> str | None:
    """`Mon 30 Nov 2026, 7:30 pm IST` in the recipient's timezone; None for a malformed value."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone)
    except ValueError:
        return None
    hour, meridiem = moment.hour % 12 or 12, "am" if moment.hour < 12 else "pm"
    return f"{moment:%a} {moment.day} {moment:%b %Y}, {hour}:{moment:%M} {meridiem} {moment.tzname()}"


def rupees(paise: str) -> str | None:
    """`₹1,234.50` from a whole number of paise; None for anything else."""
    if not paise.isdigit():
        return None
    whole, fraction = divmod(int(paise), 100)
    return f"₹{whole:,}" + (f".{fraction:02d}" if fraction else "")


def _field(label: str, key: str) -> Line:
    return lambda notice, _zone: f"{label}: {notice.data[key]}" if notice.data.get(key) else None


def _when(label: str, key: str) -> Line:
    def line(notice: Notice, zone: ZoneInfo) -> str | None:
        at = local_time(notice.data.get(key, ""), zone)
        return f"{label}: {at}" if at else None

    return line


def _amount(label: str) -> Line:
    def line(notice: Notice, _zone: ZoneInfo) -> str | None:
        amount = rupees(notice.data.get("amount_paise", ""))
        return f"{label}: {amount}" if amount else None

    return line


def _offer_lapses(notice: Notice, zone: ZoneInfo) -> str | None:
    if notice.expires_at is None:
        return None
    at = local_time(datetime.fromtimestamp(notice.expires_at, ZoneInfo("UTC")).isoformat(), zone)
    return f"The seat is held for you until {at}; after that it goes to the next person waiting."


def _rating(notice: Notice, _zone: ZoneInfo) -> str | None:
    rating = notice.data.get("rating", "")
    if not rating.isdigit() or not 1 <= int(rating) <= 5:
        return None
    return f"Rating: {'★' * int(rating)}{'☆' * (5 - int(rating))} ({rating} of 5)"


_SESSION = _field("Session", "session_title")
_STARTS = _when("When", "starts_at")

TEMPLATES: dict[str, Template] = {
    "booking_confirmed": Template("View your booking", (_SESSION, _STARTS)),
    "session_moved": Template(
        "See the new time", (_SESSION, _when("New time", "starts_at"), _when("Was", "previous_starts_at"))
    ),
    "session_cancelled": Template("Find another session", (_SESSION, _STARTS, _field("Reason", "reason"))),
    "session_reminder": Template("Open the session", (_SESSION, _STARTS)),
    "waitlist_offer": Template("Book your seat", (_SESSION, _STARTS, _offer_lapses)),
    "waitlist_offer_expired": Template("See other sessions", (_SESSION,)),
    "payment_receipt": Template(
        "See your receipt", (_SESSION, _amount("Paid"), _field("Receipt number", "receipt_number"))
    ),
    "refund_issued": Template(
        "See your payments",
        (_SESSION, _amount("Refunded"), _field("Refund reference", "refund_id")),
    ),
    "refund_failed": Template("See your payments", (_SESSION, _amount("Amount"))),
    "waiting_room": Template("Open the room", (_SESSION, _field("Waiting", "learner_name"))),
    "review_new": Template("Read the review", (_SESSION, _rating)),
    "review_reply": Template("Read the reply", (_SESSION, _field("From", "mentor_name"))),
    "gift_received": Template("See your earnings", (_SESSION, _amount("Gift"), _field("From", "from_name"))),
    "withdrawal_approved": Template("See your earnings", (_amount("Amount"),)),
    "withdrawal_paid": Template("See your earnings", (_amount("Amount"), _field("Reference", "utr"))),
    "withdrawal_failed": Template("See your earnings", (_amount("Amount"), _field("Reason", "reason"))),
    "payout_account_changed": Template("Check your payout account"),
    "broadcast": Template("Open PeerLearn"),
}


# ---------------------------------------------------------------- building and sending
def _path(link: str | None) -> str:
    """The notice's link as a path on the site; anything else (`//host`, `@host`, a scheme) would
    let the button leave it, so it falls back to the notifications page."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return "/notifications"


def _one_line(text: str) -> str:
    return " ".join(text.split())  # a subject with a line break would end the header early


def _footer(category: catalog.Category) -> str:
    """Why this email came: the category as the settings page names it."""
    label = category.label.lower()
    if category.account:
        return (
            f"You get this email because emails about {label} are records of your money on PeerLearn; "
            "they can't be turned off."
        )
    return (
        f"You get this email because {label} emails are on in your PeerLearn notification settings "
        f"({category.description})."
    )


def notice_email(settings: Settings, notice: Notice, user: UserItem) -> EmailMessage:
    """The email for `notice` (no sending, no checks): subject, text, HTML and headers."""
    category = catalog.category_of(notice.kind)
    template = TEMPLATES[notice.kind]
    zone = _zone(user.timezone or "Asia/Kolkata")
    base = settings.web_base_url
    action = f"{base}{_path(notice.link)}"
    manage = f"{base}{SETTINGS_PATH}"
    greeting = f"Hi {user.name},"
    facts = [line for line in (make(notice, zone) for make in template.lines) if line]
    footer = _footer(category)

    headers: dict[str, str] = {}
    leave: str | None = None
    if not category.account:
        leave = unsubscribe_page_url(settings, user.id, category.name)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url(settings, user.id, category.name)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    text = [greeting, "", notice.body]
    if facts:
        text += ["", *facts]
    text += ["", f"{template.button}: {action}", "", "--", footer]
    text.append(f"Choose which emails you get: {manage}")
    if leave:
        text.append(f"Unsubscribe from {category.label.lower()} emails: {leave}")

    return EmailMessage(
        to=user.email,
        subject=_one_line(notice.title),
        text="\n".join(text) + "\n",
        html=_html(greeting, notice.body, facts, template.button, action, footer, manage, category, leave),
        headers=headers,
    )


_LINK = "color:#4338ca"
_BUTTON = (
    "display:inline-block;background:#4338ca;color:#fff;padding:10px 18px;border-radius:8px;"
    "text-decoration:none"
)


def _html(
    greeting: str,
    body: str,
    facts: list[str],
    button: str,
    action: str,
    footer: str,
    manage: str,
    category: catalog.Category,
    leave: str | None,
) -> str:
    """The same words as the text version, with inline styles only (mail clients drop <style>)."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip())
    listed = "".join(f'<li style="margin:2px 0">{escape(fact)}</li>' for fact in facts)
    details = f'<ul style="padding-left:18px;color:#374151">{listed}</ul>' if facts else ""
    links = f'<a href="{escape(manage, quote=True)}" style="{_LINK}">Choose which emails you get</a>'
    if leave:
        links += (
            f' &middot; <a href="{escape(leave, quote=True)}" style="{_LINK}">'
            f"Unsubscribe from {escape(category.label.lower())} emails</a>"
        )
    return (
        '<div style="font-family:system-ui,sans-serif;max-width:520px;margin:auto;color:#1f2937">'
        f'<h2 style="color:#3730a3">PeerLearn</h2><p>{escape(greeting)}</p>{paragraphs}{details}'
        f'<p><a href="{escape(action, quote=True)}" style="{_BUTTON}">{escape(button)}</a></p>'
        f'<p style="font-size:12px;color:#6b7280;border-top:1px solid #e5e7eb;padding-top:12px">'
        f"{escape(footer)}<br>{links}</p></div>"
    )


def send_notice_email(ctx: Context, notice: Notice, user: UserItem) -> bool:
    """Emails `notice` to `user`; False when nothing was sent: their address is suppressed (it
    bounced or complained), or they turned this category's email off (account categories can't be)."""
    category = catalog.category_of(notice.kind)
    if suppression.is_suppressed(user.email):
        return False
    if not preferences.get(user.id).allows(category.name, "email"):
        return False
    try:
        ctx.email.send(notice_email(ctx.settings, notice, user))
    except EmailRejected as exc:  # for good: a retry of the stream record would be refused again
        logger.warning("SES refused a notification email", extra={"kind": notice.kind, "reason": str(exc)})
        return False
    return True
