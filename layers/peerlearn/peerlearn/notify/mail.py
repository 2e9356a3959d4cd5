"""Notification emails: one HTML + text template per kind. (Skeleton: the email branch fills it in.)"""

from __future__ import annotations

from peerlearn.adapters.email import EmailMessage
from peerlearn.notify.notice import Notice


def compose(
    notice: Notice, *, to: str, name: str, web_base_url: str, unsubscribe_url: str | None
) -> EmailMessage:
    """The email for `notice` to `to`; `unsubscribe_url` is None for account categories."""
    link = f"{web_base_url}{notice.link or '/notifications'}"
    return EmailMessage(
        to=to,
        subject=notice.title,
        text=f"Hi {name},\n\n{notice.body}\n\n{link}\n",
        html=f"<p>Hi {name},</p><p>{notice.body}</p><p><a href='{link}'>{link}</a></p>",
    )
