"""A paid gift announced to the whole room, the moment the stream sees it paid, and never twice.

`announced_at` is set with a condition (not set before, and the gift is paid) before the broadcast:
a redelivered stream record, a batch retried after a later record failed, or the MODIFY that
`announced_at` itself causes all find it set and announce nothing. If the broadcast then fails, the
room misses that one announcement (at most once, by design: a gift shown twice reads as two gifts).
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn import store, timeutil
from peerlearn.errors import Conflict
from peerlearn.live import fanout
from peerlearn.store.keys import gift_sk, session_pk
from peerlearn.store.models import GiftItem

logger = logging.getLogger(__name__)


def gift_message(gift: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "gift",
        "gift": {
            "id": str(gift["gift_id"]),
            "from_name": str(gift.get("learner_name") or "A learner"),
            "amount_paise": int(gift["amount_paise"]),
            "message": gift.get("message") or None,
            "paid_at": gift.get("paid_at"),
        },
    }


def announce(gift: dict[str, Any]) -> bool:
    """`gift`: the stream's new image of a GIFT item that is paid. True when this call announced it."""
    session_id, gift_id = str(gift["session_id"]), str(gift["gift_id"])
    try:
        with store.failed_condition_raises(Conflict("announced already")):
            GiftItem(session_pk(session_id), gift_sk(gift_id)).update(
                actions=[GiftItem.announced_at.set(timeutil.now_iso())],
                condition=GiftItem.announced_at.does_not_exist() & (GiftItem.status == "paid"),
            )
    except Conflict:
        logger.info("gift announced already", extra={"session_id": session_id, "gift_id": gift_id})
        return False
    reached = fanout.broadcast(session_id, gift_message(gift))
    logger.info("gift announced", extra={"session_id": session_id, "gift_id": gift_id, "reached": reached})
    return True
