"""What domain functions need from the outside, built once per cold start and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from peerlearn import store
from peerlearn.adapters import websocket
from peerlearn.adapters.email import EmailSender, OutboxEmailSender, SesEmailSender
from peerlearn.adapters.objects import LocalObjectStore, ObjectStore, S3ObjectStore
from peerlearn.config import PushSettings, Settings, TurnSettings

if TYPE_CHECKING:
    from peerlearn.adapters.razorpay import Razorpay


@dataclass(frozen=True)
class Context:
    settings: Settings
    email: EmailSender
    objects: ObjectStore
    # Razorpay, for the functions that move money (built by them at cold start; tests put a stub).
    gateway: Razorpay | None = None
    # ICE servers for the rooms (built only by the function that hands out TURN credentials).
    turn: TurnSettings | None = None
    # Web push's VAPID keys and allowed push services (built by the functions that subscribe devices
    # or deliver notifications; None elsewhere, and then nothing is pushed).
    push: PushSettings | None = None


def build_context(
    settings: Settings,
    gateway: Razorpay | None = None,
    turn: TurnSettings | None = None,
    push: PushSettings | None = None,
) -> Context:
    store.bind(table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint)
    websocket.bind(endpoint=settings.websocket_management_url, region=settings.region)
    email: EmailSender
    if settings.email_transport == "outbox":
        assert settings.outbox_dir is not None
        email = OutboxEmailSender(settings.outbox_dir)
    else:
        email = SesEmailSender(settings.email_from, settings.ses_configuration_set)
    objects: ObjectStore
    if settings.uploads_endpoint:
        objects = LocalObjectStore(settings.uploads_endpoint, settings.jwt_secret)
    else:
        objects = S3ObjectStore(settings.uploads_bucket)
    return Context(settings=settings, email=email, objects=objects, gateway=gateway, turn=turn, push=push)
