"""Sending email: SES in the cloud, a folder of JSON files (the dev outbox) locally."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from peerlearn import clock, ids

logger = logging.getLogger(__name__)


# SES refusals that no retry can change (the message or address itself is refused).
PERMANENT_SES_ERRORS = frozenset(
    {"MessageRejected", "BadRequestException", "MailFromDomainNotVerifiedException"}
)


class EmailRejected(Exception):
    """SES refused this message for good: retrying would only be refused again."""


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str
    # Extra headers (List-Unsubscribe, List-Unsubscribe-Post on notification emails); account emails
    # (verification, reset, receipts) carry none.
    headers: dict[str, str] = field(default_factory=dict)


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SesEmailSender:
    """SESv2 SendEmail with Simple content (its `Headers` carry List-Unsubscribe; SES builds the MIME).

    `configuration_set`: the set whose suppression options and event destination (bounces and
    complaints -> peerlearn.notify.suppression) apply to every email sent.
    """

    def __init__(self, sender: str, configuration_set: str | None = None, client: Any = None) -> None:
        self._sender = sender
        self._configuration_set = configuration_set
        self._client = client

    def send(self, message: EmailMessage) -> None:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2")
        simple: dict[str, Any] = {
            "Subject": {"Data": message.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": message.text, "Charset": "UTF-8"},
                "Html": {"Data": message.html, "Charset": "UTF-8"},
            },
        }
        if message.headers:
            simple["Headers"] = [{"Name": name, "Value": value} for name, value in message.headers.items()]
        extra: dict[str, Any] = {}
        if self._configuration_set:
            extra["ConfigurationSetName"] = self._configuration_set
        try:
            self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [message.to]},
                Content={"Simple": simple},
                **extra,
            )
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in PERMANENT_SES_ERRORS:
                raise EmailRejected(code) from exc
            raise  # throttling, a network error: worth the caller's retry
        logger.info("email sent", extra={"subject": message.subject})


class OutboxEmailSender:
    """Writes each email as one JSON file; the local gateway lists them at /_dev/outbox."""

    def __init__(self, directory: str | Path) -> None:
        self._directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        email_id = ids.new_id()
        record = {"id": email_id, "sent_at": clock.iso(clock.now_seconds()), **asdict(message)}
        tmp = self._directory / f".{email_id}.tmp"
        tmp.write_text(json.dumps(record, indent=2))
        tmp.replace(self._directory / f"{email_id}.json")  # atomic: readers never see half a file
        logger.info("email written to the outbox", extra={"subject": message.subject})
