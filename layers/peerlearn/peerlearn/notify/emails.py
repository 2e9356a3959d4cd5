"""Account email templates (plain text and a simple HTML version of the same words)."""

from __future__ import annotations

from html import escape

from peerlearn.adapters.email import EmailMessage


def _html(greeting: str, paragraphs: list[str], link_text: str, link: str, footer: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        '<div style="font-family:system-ui,sans-serif;max-width:520px;margin:auto;color:#1f2937">'
        f'<h2 style="color:#3730a3">PeerLearn</h2><p>{escape(greeting)}</p>{body}'
        f'<p><a href="{escape(link, quote=True)}" style="display:inline-block;background:#4338ca;color:#fff;'
        f'padding:10px 18px;border-radius:8px;text-decoration:none">{escape(link_text)}</a></p>'
        f'<p style="font-size:12px;color:#6b7280">{escape(footer)}<br>{escape(link)}</p></div>'
    )


def verification_email(*, to: str, name: str, link: str) -> EmailMessage:
    paragraphs = ["Confirm your email address to book and publish sessions on PeerLearn."]
    footer = "If you didn't create an account, ignore this email. The link works once, for 48 hours."
    return EmailMessage(
        to=to,
        subject="Confirm your email for PeerLearn",
        text=f"Hi {name},\n\n{paragraphs[0]}\n\n{link}\n\n{footer}\n",
        html=_html(f"Hi {name},", paragraphs, "Confirm my email", link, footer),
    )


def password_reset_email(*, to: str, name: str, link: str) -> EmailMessage:
    paragraphs = ["Someone (hopefully you) asked to reset your PeerLearn password."]
    footer = (
        "If it wasn't you, ignore this email; your password stays as it is. The link works once, for 1 hour."
    )
    return EmailMessage(
        to=to,
        subject="Reset your PeerLearn password",
        text=f"Hi {name},\n\n{paragraphs[0]}\n\n{link}\n\n{footer}\n",
        html=_html(f"Hi {name},", paragraphs, "Choose a new password", link, footer),
    )


def payment_refunded_email(*, to: str, name: str, text: str, link: str = "/me/payments") -> EmailMessage:
    """A payment going back to the learner (too late for a seat, or paid twice)."""
    footer = "Refunds reach your account in 5-7 working days, the way you paid."
    return EmailMessage(
        to=to,
        subject="Your PeerLearn payment is being refunded",
        text=f"Hi {name},\n\n{text}\n\n{footer}\n",
        html=_html(f"Hi {name},", [text], "See your payments", link, footer),
    )
