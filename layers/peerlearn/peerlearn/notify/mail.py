"""Notification emails: one HTML + text template per kind. (Skeleton: the email branch fills it in.)"""

from __future__ import annotations

from html import escape

from peerlearn.adapters.email import EmailMessage
from peerlearn.context import Context
from peerlearn.notify.notice import Notice
from peerlearn.store.models import UserItem


def send_notice_email(ctx: Context, notice: Notice, user: UserItem) -> bool:
    """Emails `notice` to `user`; False when nothing was sent (their address is suppressed)."""
    link = f"{ctx.settings.web_base_url}{notice.link or '/notifications'}"
    ctx.email.send(
        EmailMessage(
            to=user.email,
            subject=notice.title,
            text=f"Hi {user.name},\n\n{notice.body}\n\n{link}\n",
            html=f"<p>Hi {escape(user.name)},</p><p>{escape(notice.body)}</p><p>{escape(link)}</p>",
        )
    )
    return True
