"""ICE servers for a room's peer connections, with time-limited TURN credentials (the TURN REST
scheme coturn implements: username `<expiry>:<user id>`, password base64(HMAC-SHA1(secret, username)))."""

from __future__ import annotations

import base64
import hashlib
import hmac

from peerlearn import clock
from peerlearn.config import TurnSettings
from peerlearn.live.schemas import IceServer, IceServersOut


def ice_servers(turn: TurnSettings, user_id: str, now: int | None = None) -> IceServersOut:
    """No configured URIs (the local stack): no servers, host candidates do."""
    if not turn.uris:
        return IceServersOut(ice_servers=[], ttl_seconds=turn.ttl_seconds)
    stun = [u for u in turn.uris if u.startswith("stun:")]
    relays = [u for u in turn.uris if not u.startswith("stun:")]
    servers: list[IceServer] = [IceServer(urls=stun)] if stun else []
    if relays:
        assert turn.secret is not None  # TurnSettings requires it when there are TURN URIs
        expires = (clock.now_seconds() if now is None else now) + turn.ttl_seconds
        username = f"{expires}:{user_id}"
        digest = hmac.new(turn.secret.encode(), username.encode(), hashlib.sha1).digest()
        servers.append(
            IceServer(urls=relays, username=username, credential=base64.b64encode(digest).decode())
        )
    return IceServersOut(ice_servers=servers, ttl_seconds=turn.ttl_seconds)
