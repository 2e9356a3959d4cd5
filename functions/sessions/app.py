"""Sessions function: the catalog, discovery, booking, waitlist, joining (room tickets, ICE servers,
chat history, who is in a room), feedback and history; the admins' sessions (lists, ending, flags)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import admin_sessions, recordings, rooms, sessions
    from peerlearn.config import TurnSettings

    function = rest_function(
        [sessions.router, rooms.router, recordings.router, admin_sessions.router],
        turn=TurnSettings.from_env(),
    )
app, logger, lambda_handler = function.app, function.logger, function.handler
