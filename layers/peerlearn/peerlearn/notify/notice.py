"""A notice: one thing to tell one person, before it becomes a record, an email or a push."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notice:
    user_id: str
    kind: str  # a key of peerlearn.notify.catalog.KINDS
    title: str  # short, plain text: the toast's and the push's title, the email's subject
    body: str  # one or two plain-text sentences, already in the recipient's local time
    # Derived from the change that caused it (never random): the same key for the same user and
    # kind means the same notice, so a replayed stream record notifies nobody twice.
    dedupe_key: str
    link: str | None = None  # a path in the web app, e.g. /sessions/<id>
    # Epoch seconds after which a held email or push is pointless (a reminder once the session has
    # started, a waitlist offer once it lapsed); None: never stale.
    expires_at: int | None = None
    # Extra fields for templates (all strings): session_id, starts_at (ISO), amount_paise, ...
    data: dict[str, str] = field(default_factory=dict)
    # Only these channels ("in_app", "email", "push"), each still only if the person allows it; None:
    # every channel they allow. An admin's bulk email is email only.
    channels: frozenset[str] | None = None
