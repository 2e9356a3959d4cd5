"""Web push subscriptions: one item per subscribed device in the person's partition,
pk `USER#<id>`, sk `PUSHSUB#<first 32 hex of sha256(endpoint)>` (the same browser subscribing again
overwrites its item). Access patterns: a person's devices are one Query (`begins_with(sk, "PUSHSUB#")`);
one device is a GetItem or DeleteItem by that key.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem

PUSH_SUB_PREFIX = "PUSHSUB#"


def push_sub_sk(subscription_id: str) -> str:
    return f"{PUSH_SUB_PREFIX}{subscription_id}"


class PushSubscriptionItem(BaseItem, discriminator="PUSH_SUBSCRIPTION"):
    """A browser's PushSubscription: where to POST (a capability URL: never logged) and its keys."""

    subscription_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    endpoint = UnicodeAttribute()
    p256dh = UnicodeAttribute()  # base64url, the browser's P-256 public key (65 bytes)
    auth = UnicodeAttribute()  # base64url, the 16-byte auth secret
    device = UnicodeAttribute(default="")  # a label the person recognises ("Chrome on Android")
    created_at = NumberAttribute()  # epoch seconds
    last_sent_at = NumberAttribute(null=True)  # epoch seconds of the last accepted push


PUSH_MODELS: tuple[type[BaseItem], ...] = (PushSubscriptionItem,)
